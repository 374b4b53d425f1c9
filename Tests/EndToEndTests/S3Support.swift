import Foundation
import TUFTestSupport

/// A workspace repository published to `prefix` of a test server's bucket (`init --publish`),
/// and what reads it back: the bucket's public URLs and a python-tuf client trusting root v1.
final class BucketWorkspace: @unchecked Sendable {
    let server: S3TestServer
    let w: Workspace
    let url: String
    let meta: String
    let targets: String
    let python: PythonClient
    var trustedRoot: String { "\(w.metadata)/1.root.json" }

    init(_ server: S3TestServer, prefix: String, linkFiles: Bool = false) throws {
        self.server = server
        url = "s3://\(server.bucket)/\(prefix)"
        w = try Workspace(linkFiles: linkFiles, initArguments: ["--publish", url, "--s3-endpoint", server.endpoint], environment: server.awsEnvironment)
        meta = server.publicURL("\(prefix)/metadata/")
        targets = server.publicURL("\(prefix)/targets/")
        python = try PythonClient()
    }

    /// python-tuf's client refreshing from the bucket and downloading `targets`.
    func read(_ targets: [String]) throws -> PythonClient.Result {
        try python.fetch(targets, metadataURL: meta, targetsURL: self.targets, trustedRoot: trustedRoot)
    }
}
