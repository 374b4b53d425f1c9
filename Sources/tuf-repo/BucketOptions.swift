import ArgumentParser
import Foundation
import TUFRepository
import TUFRepositoryS3

/// `--publish s3://BUCKET/PREFIX` and `--s3-endpoint URL`: the bucket a publishing command
/// writes to first (then the folder), else the policy's `publish` setting, else none.
/// Credentials and region come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
/// AWS_SESSION_TOKEN and AWS_REGION, never from the command line.
struct BucketOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Publish to this bucket too, first (default: the policy's publish setting). Credentials come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.", valueName: "s3://BUCKET/PREFIX"))
    var publish: String?

    @Option(name: .long, help: ArgumentHelp("The S3 API endpoint of an S3-compatible store (default: AWS's for AWS_REGION).", valueName: "URL"))
    var s3Endpoint: String?

    func validate() throws {
        if s3Endpoint != nil, publish == nil { throw ValidationError("--s3-endpoint needs --publish") }
    }

    /// The settings asked for: the options, else the policy's. A policy that cannot be read
    /// names no bucket here: the command reports it in its own order (a refused key first).
    func settings(_ repo: Repository) throws -> BucketSettings? {
        if let publish { return try BucketSettings(url: publish, endpoint: s3Endpoint) }
        return try? repo.policy().publish
    }

    /// `repo` publishing to the bucket, when there is one.
    func attach(to repo: Repository) throws -> Repository {
        guard let settings = try settings(repo) else { return repo }
        var r = repo
        r.bucket = try settings.open(environment: ProcessInfo.processInfo.environment)
        return r
    }
}

extension Repository {
    /// Tells on stderr what the bucket sync did (a takeover, a catch-up).
    func reportBucket() {
        for event in bucket?.events ?? [] { note("tuf-repo: \(event)") }
    }
}
