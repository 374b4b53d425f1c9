import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import TUFClient

extension HTTPFetcher {
    /// Requests `url`, follows redirects within `origin`, and reads the body.
    func transfer(_ url: String, origin: Origin, limit: Int, sink: (any DownloadSink)?) async throws(ClientError) -> [UInt8] {
        var current = url
        for _ in 0...Self.maxRedirects {
            let response = try await request(current)
            let status = response.status.code
            let name = current == url ? url : "\(url) (redirected to \(current))"
            switch status {
            case 200..<300:
                return try await read(response.body, of: name, announced: response.headers.first(name: "content-length"), limit: limit, sink: sink)
            case _ where Origin.redirectStatuses.contains(status):
                let next = try origin.redirect(from: current, status: status, to: response.headers.first(name: "location"))
                await Self.discard(response.body)
                current = next
            case 403, 404:
                await Self.discard(response.body)
                throw ClientError(.notFound, "\(name): HTTP \(status)")
            default:
                await Self.discard(response.body)
                throw ClientError(.fetchFailed, "\(name): HTTP \(status)")
            }
        }
        throw ClientError(.fetchFailed, "\(url): more than \(Self.maxRedirects) redirects")
    }

    private func request(_ url: String) async throws(ClientError) -> HTTPClientResponse {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "User-Agent", value: userAgent)
        do {
            return try await client.execute(request, deadline: .now() + Self.amount(totalTimeout))
        } catch {
            throw ClientError(.fetchFailed, "\(url): \(describe(error))")
        }
    }

    /// The body, counted as it streams in. Leaving the loop early (too long, or the sink
    /// refused a chunk) drops the body's iterator: the client then cancels the request and
    /// closes the connection, so not one more byte is read from the socket.
    private func read(_ body: HTTPClientResponse.Body, of name: String, announced: String?, limit: Int,
                      sink: (any DownloadSink)?) async throws(ClientError) -> [UInt8] {
        if let announced = announced.flatMap({ Int64($0) }), announced > Int64(limit) {
            throw ClientError(.downloadTooLarge, "\(name): \(announced) bytes announced, limit \(limit)")
        }
        var bytes: [UInt8] = [], received = 0
        do {
            for try await chunk in body {
                // Compared without adding first: no bound, up to Int.max, can overflow.
                guard chunk.readableBytes <= limit - received else {
                    throw ClientError(.downloadTooLarge, "\(name): more than \(limit) bytes")
                }
                received += chunk.readableBytes
                if let sink { try sink.write(chunk) } else { bytes.append(contentsOf: chunk.readableBytesView) }
            }
        } catch let error as ClientError {
            throw error
        } catch {
            throw ClientError(.fetchFailed, "\(name): \(describe(error))")
        }
        return bytes
    }

    /// Reads and drops a short body (an error page) so that its connection can serve the next
    /// request; a longer one is cut off, which closes the connection instead.
    private static func discard(_ body: HTTPClientResponse.Body) async {
        var left = 64 << 10
        do {
            for try await chunk in body {
                left -= chunk.readableBytes
                if left < 0 { return }
            }
        } catch {}
    }

    /// The client's errors in words; timeouts say which, since a test and a user tell a
    /// slow server from a refused connection by them.
    private func describe(_ error: any Error) -> String {
        switch error as? HTTPClientError {
        case HTTPClientError.readTimeout?: "timed out (no data for \(idleTimeout) s)"
        case HTTPClientError.connectTimeout?: "timed out connecting (\(idleTimeout) s)"
        case HTTPClientError.deadlineExceeded?: "timed out after \(totalTimeout) s"
        default: "\(error)"
        }
    }
}

extension DownloadSink {
    /// Writes a NIO buffer's readable bytes as one chunk (see `write(contentsOf:)` for why the local).
    func write(_ buffer: ByteBuffer) throws(ClientError) {
        var failure: ClientError?
        buffer.withUnsafeReadableBytes { chunk in
            do throws(ClientError) { try write(chunk) } catch { failure = error }
        }
        if let failure { throw failure }
    }
}
