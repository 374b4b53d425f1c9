/// When a request to the store is tried again, and after how long: bounded attempts with
/// exponential backoff and full jitter (a random wait up to the doubled step, so that many
/// publishers refused at once do not come back at once).
public struct S3RetryPolicy: Sendable, Equatable {
    /// Attempts per request, the first included (≥ 1).
    public var maxAttempts: Int
    /// The longest wait before the second attempt, in seconds; doubled per attempt.
    public var baseDelay: Double
    /// No wait is longer than this, in seconds.
    public var maxDelay: Double

    public init(maxAttempts: Int = 4, baseDelay: Double = 0.2, maxDelay: Double = 5) {
        self.maxAttempts = max(1, maxAttempts); self.baseDelay = max(0, baseDelay); self.maxDelay = max(0, maxDelay)
    }

    /// The longest wait after failed attempt number `attempt` (1-based).
    public func ceiling(after attempt: Int) -> Double {
        min(maxDelay, baseDelay * Double(1 << min(max(attempt - 1, 0), 30)))
    }

    /// The wait after failed attempt `attempt`: uniform in 0…ceiling.
    func delay(after attempt: Int) -> Double {
        let top = ceiling(after: attempt)
        return top > 0 ? Double.random(in: 0...top) : 0
    }

    /// S3's error codes that mean "slow down", whatever the status they come with.
    static let throttlingCodes: Set<String> = ["SlowDown", "Throttling", "ThrottlingException", "RequestThrottled",
                                               "RequestLimitExceeded", "TooManyRequests", "RequestThrottledException"]

    /// Codes of transient failures that a 4xx status carries (S3 answers a stalled upload with 400 RequestTimeout).
    static let transientCodes: Set<String> = ["RequestTimeout", "InternalError"]

    /// Whether an answer with this status and S3 error code is worth another attempt: 5xx,
    /// 429, throttling and transient codes. Other 4xx (a refused signature, a missing bucket,
    /// a failed condition) would fail the same way again.
    static func isRetryable(status: Int, code: String?) -> Bool {
        if status >= 500 || status == 429 { return true }
        guard let code else { return false }
        return throttlingCodes.contains(code) || transientCodes.contains(code)
    }
}
