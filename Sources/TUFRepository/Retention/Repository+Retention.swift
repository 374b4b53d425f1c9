extension Repository {
    /// Changes the policy's retention window, under the lock.
    public func setRetention(_ seconds: Int64) throws(RepositoryError) {
        try locked { () throws(RepositoryError) in
            var p = try policy()
            guard seconds >= 0 else { throw RepositoryError(.invalidArgument, "the retention window must not be negative") }
            p.retention = seconds
            try store.write([(RepositoryLayout.policyFile, p.encoded())])
        }
    }
}
