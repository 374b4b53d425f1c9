/// An S3 error answer: the HTTP status and, when the body is S3's `<Error>` document, its
/// `Code` and `Message`. Nothing else of the body is kept (AWS echoes the string to sign and
/// the canonical request, which hold no secret but are noise in a message).
struct S3ErrorResponse: Sendable, Equatable {
    let status: Int
    let code: String?
    let message: String?

    /// A server's message is cut to this many characters in ours.
    static let maxMessage = 300

    init(status: Int, body: [UInt8]) {
        self.status = status
        let root = try? XMLTree.parse(body)
        let error = root?.name == "Error" ? root : nil
        code = error?.text("Code").flatMap { $0.isEmpty ? nil : $0 }
        message = error?.text("Message").map { String($0.prefix(Self.maxMessage)) }
    }

    init(status: Int, code: String?, message: String?) { self.status = status; self.code = code; self.message = message }

    /// The error code of ours for this answer. A HEAD answer has no body, so there a bare
    /// 403 can only be `accessDenied` (a wrong secret included).
    var errorCode: ObjectStoreError.Code {
        switch code {
        case "SignatureDoesNotMatch"?: return .signatureMismatch
        case "InvalidAccessKeyId"?, "ExpiredToken"?, "InvalidToken"?, "TokenRefreshRequired"?: return .credentials
        case "AccessDenied"?: return .accessDenied
        case "NoSuchBucket"?: return .noSuchBucket
        case "PreconditionFailed"?: return .preconditionFailed
        case let code? where S3RetryPolicy.throttlingCodes.contains(code): return .throttled
        default: break
        }
        switch status {
        case 403: return .accessDenied
        case 412: return .preconditionFailed
        case 429: return .throttled
        case 503 where code == nil: return .throttled  // S3's bare 503 is its slow-down
        case 500...: return .server
        default: return .rejected
        }
    }

    /// `SignatureDoesNotMatch (HTTP 403): The request signature …`.
    var summary: String {
        let head = code.map { "\($0) (HTTP \(status))" } ?? "HTTP \(status)"
        guard let message, !message.isEmpty else { return head }
        return "\(head): \(message)"
    }
}
