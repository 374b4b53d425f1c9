/// AWS credentials as the AWS tools take them from the environment. The secret never appears
/// in a description, an error or a log line: only the access key id names the credentials.
public struct AWSCredentials: Sendable, CustomStringConvertible {
    public let accessKeyID: String
    let secretAccessKey: String
    public let sessionToken: String?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID; self.secretAccessKey = secretAccessKey; self.sessionToken = sessionToken
    }

    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and, when set, `AWS_SESSION_TOKEN`.
    public static func fromEnvironment(_ environment: [String: String]) throws(ObjectStoreError) -> AWSCredentials {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        guard let id = value("AWS_ACCESS_KEY_ID") else { throw ObjectStoreError(.credentials, "AWS_ACCESS_KEY_ID is not set") }
        guard let secret = value("AWS_SECRET_ACCESS_KEY") else { throw ObjectStoreError(.credentials, "AWS_SECRET_ACCESS_KEY is not set") }
        return AWSCredentials(accessKeyID: id, secretAccessKey: secret, sessionToken: value("AWS_SESSION_TOKEN"))
    }

    /// The region: `AWS_REGION`, then `AWS_DEFAULT_REGION`, else us-east-1 (what S3-compatible
    /// stores accept when they ignore regions).
    public static func region(_ environment: [String: String]) -> String {
        [environment["AWS_REGION"], environment["AWS_DEFAULT_REGION"]].compactMap { $0 }.first { !$0.isEmpty } ?? "us-east-1"
    }

    public var description: String { "AWS credentials \(accessKeyID)" }
}
