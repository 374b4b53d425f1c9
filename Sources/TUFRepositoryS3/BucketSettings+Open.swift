import TUFObjectStore
import TUFRepository

extension BucketSettings {
    /// The bucket of `url` at `endpoint` (AWS's for the region when nil), with the
    /// credentials and region the AWS tools read from `environment`. Checks the bucket name
    /// and the endpoint by S3's rules; opening sends nothing.
    public func open(environment: [String: String]) throws(RepositoryError) -> BucketPublication {
        do throws(ObjectStoreError) {
            let location = try S3Location(url: url)
            let region = AWSCredentials.region(environment)
            let credentials = try AWSCredentials.fromEnvironment(environment)
            let end: S3Endpoint
            if let endpoint { end = try S3Endpoint(endpoint) } else { end = try S3Endpoint.aws(region: region) }
            let client = S3Client(configuration: .init(endpoint: end, region: region, location: location, userAgent: "tuf-repo"),
                                  credentials: credentials)
            return BucketPublication(bucket: S3Bucket(client: client), cache: cache) {
                BlockingBridge.runDetached { await client.shutdown() }
            }
        } catch { throw RepositoryError(error) }
    }
}

extension RepositoryError {
    /// An object-store failure: `.bucket`, keeping the store's message (it names the object);
    /// a setting the store refuses (a bucket name, an endpoint) is `.invalidArgument`.
    init(_ error: ObjectStoreError) {
        if error.code == .configuration {
            self.init(.invalidArgument, error.message)
        } else {
            self.init(.bucket, "\(error.code.rawValue): \(error.message)")
        }
    }
}
