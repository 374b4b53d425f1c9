import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Downloads over HTTP(S) with URLSession, streaming the body and cancelling as soon as it
/// passes the limit. HTTP 403 and 404 are `.notFound` (python-tuf ends the root loop on
/// both); other statuses, timeouts and network errors are `.fetchFailed`.
public struct HTTPFetcher: Fetcher {
    /// Longest wait for the next bytes (a slow-retrieval server).
    public var idleTimeout: TimeInterval
    /// Longest time one download may take.
    public var totalTimeout: TimeInterval
    /// The User-Agent header sent with every request.
    public var userAgent: String

    public init(idleTimeout: TimeInterval = 30, totalTimeout: TimeInterval = 600, userAgent: String = "swift-tuf/\(TUFClientVersion.string)") {
        self.idleTimeout = idleTimeout; self.totalTimeout = totalTimeout; self.userAgent = userAgent
    }

    public func fetch(_ url: String, maxLength: Int) async throws(ClientError) -> [UInt8] {
        try await run(url, maxLength: maxLength, sink: nil)
    }

    /// Streams the body into `sink` as it arrives (large targets never sit in memory).
    public func fetch(_ url: String, maxLength: Int, into sink: any DownloadSink) async throws(ClientError) {
        _ = try await run(url, maxLength: maxLength, sink: sink)
    }

    private func run(_ url: String, maxLength: Int, sink: (any DownloadSink)?) async throws(ClientError) -> [UInt8] {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw ClientError(.fetchFailed, "\(url): not an http(s) URL")
        }
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = idleTimeout
        configuration.timeoutIntervalForResource = totalTimeout
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.httpAdditionalHeaders = ["User-Agent": userAgent]
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<[UInt8], ClientError>, Never>) in
            let delegate = StreamingDelegate(url: url, maxLength: maxLength, sink: sink, continuation: continuation)
            let session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
            session.dataTask(with: URLRequest(url: parsed)).resume()
            // Releases the session (which holds its delegate strongly) once the task ends.
            session.finishTasksAndInvalidate()
        }
        return try result.get()
    }
}

/// Collects one response body (or passes it to a sink), enforcing the limit while it
/// streams in.
private final class StreamingDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let url: String
    private let maxLength: Int
    private let sink: (any DownloadSink)?
    private var received = 0
    private let lock = NSLock()
    private var body: [UInt8] = []
    private var failure: ClientError?
    private var continuation: CheckedContinuation<Result<[UInt8], ClientError>, Never>?

    init(url: String, maxLength: Int, sink: (any DownloadSink)?, continuation: CheckedContinuation<Result<[UInt8], ClientError>, Never>) {
        self.url = url; self.maxLength = max(0, maxLength); self.sink = sink; self.continuation = continuation
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void) {
        var problem: ClientError?
        if let http = response as? HTTPURLResponse {
            switch http.statusCode {
            case 200..<300: break
            case 403, 404: problem = ClientError(.notFound, "\(url): HTTP \(http.statusCode)")
            default: problem = ClientError(.fetchFailed, "\(url): HTTP \(http.statusCode)")
            }
        }
        if problem == nil, response.expectedContentLength > Int64(maxLength) {
            problem = ClientError(.downloadTooLarge, "\(url): \(response.expectedContentLength) bytes announced, limit \(maxLength)")
        }
        lock.withLock { if failure == nil { failure = problem } }
        completionHandler(problem == nil ? .allow : .cancel)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let stop = lock.withLock { () -> Bool in
            guard failure == nil else { return false }
            // Compared without adding first: no bound, up to Int.max, can overflow.
            guard data.count <= maxLength - received else {
                failure = ClientError(.downloadTooLarge, "\(url): more than \(maxLength) bytes")
                return true
            }
            received += data.count
            guard let sink else {
                body.append(contentsOf: data)
                return false
            }
            do throws(ClientError) { try sink.write(contentsOf: data) } catch {
                failure = error
                return true
            }
            return false
        }
        // Answer at once and tear the session down: a cancelled task alone can go on reading
        // (an endless body kept streaming in after the limit), the caller must not wait for it.
        if stop {
            complete(with: nil)
            dataTask.cancel()
            session.invalidateAndCancel()
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        complete(with: error)
        session.finishTasksAndInvalidate()
    }

    /// Resumes the caller once, with the recorded failure, else `error`, else the body.
    private func complete(with error: Error?) {
        let (result, continuation) = lock.withLock { () -> (Result<[UInt8], ClientError>, CheckedContinuation<Result<[UInt8], ClientError>, Never>?) in
            let result: Result<[UInt8], ClientError>
            if let failure {
                result = .failure(failure)
            } else if let error {
                result = .failure(ClientError(.fetchFailed, "\(url): \(error.localizedDescription)"))
            } else {
                result = .success(body)
            }
            defer { self.continuation = nil }
            return (result, self.continuation)
        }
        continuation?.resume(returning: result)
    }
}
