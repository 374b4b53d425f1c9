import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOSSL
import TUFCrypto

/// One request as the operations describe it, before signing.
struct S3Call: Sendable {
    var method: HTTPMethod
    /// The full key (prefix included), or nil for the bucket itself.
    var key: String?
    var query: [(name: String, value: String)] = []
    var headers: [(name: String, value: String)] = []
    var body: [UInt8] = []
    /// Bytes of a successful answer's body read at most; past it the request fails `.tooLarge`.
    var bodyLimit: Int = 0
}

/// An answer: status, headers and the body read within its limit.
struct S3Answer: Sendable {
    let status: Int
    let headers: HTTPHeaders
    let body: [UInt8]
    /// Attempts it took (1 when the first was answered).
    let attempts: Int

    var isSuccess: Bool { (200..<300).contains(status) }
}

extension S3Client {
    /// `METHOD s3://bucket/key at endpoint`: what every message of this call starts with.
    func name(_ call: S3Call) -> String {
        "\(call.method.rawValue) s3://\(location.bucket)/\(call.key ?? "") at \(configuration.endpoint)"
    }

    /// Sends `call` until it is answered with something other than a transient failure, or
    /// the attempts run out; the last answer is returned whatever its status. Network
    /// failures are retried the same way; after the last attempt they are `.network` errors.
    func send(_ call: S3Call) async throws(ObjectStoreError) -> S3Answer {
        let policy = configuration.retry
        var attempt = 1
        while true {
            do throws(S3Transport) {
                let answer = try await exchange(call, attempt: attempt)
                let code = answer.isSuccess ? nil : S3ErrorResponse(status: answer.status, body: answer.body).code
                if answer.isSuccess || attempt >= policy.maxAttempts || !S3RetryPolicy.isRetryable(status: answer.status, code: code) {
                    return answer
                }
            } catch {
                guard error.retryable, attempt < policy.maxAttempts else {
                    throw ObjectStoreError(error.code, "\(name(call)): \(error.message)\(Self.attempts(attempt))")
                }
            }
            try await Self.sleep(policy.delay(after: attempt), for: call, name: name(call))
            attempt += 1
        }
    }

    /// The error for an answer that the operation cannot use.
    func failure(_ call: S3Call, _ answer: S3Answer) -> ObjectStoreError {
        let response = S3ErrorResponse(status: answer.status, body: answer.body)
        return ObjectStoreError(response.errorCode, "\(name(call)): \(response.summary)\(Self.attempts(answer.attempts))")
    }

    static func attempts(_ n: Int) -> String { n > 1 ? " (after \(n) attempts)" : "" }

    private static func sleep(_ seconds: Double, for call: S3Call, name: String) async throws(ObjectStoreError) {
        do { try await Task.sleep(nanoseconds: UInt64(seconds * 1e9)) } catch {
            throw ObjectStoreError(.network, "\(name): cancelled")
        }
    }

    /// One attempt: signed at this moment (a retry is signed anew), sent, and its body read.
    private func exchange(_ call: S3Call, attempt: Int) async throws(S3Transport) -> S3Answer {
        let request = signedRequest(call)
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, deadline: .now() + Self.amount(configuration.requestTimeout))
        } catch {
            throw S3Transport(error, configuration: configuration)
        }
        let status = Int(response.status.code)
        let limit = (200..<300).contains(status) ? call.bodyLimit : Self.errorBodyLimit
        let body = try await read(response.body, limit: limit, cutOff: !(200..<300).contains(status),
                                  announced: response.headers.first(name: "content-length"), method: call.method)
        return S3Answer(status: status, headers: response.headers, body: body, attempts: attempt)
    }

    /// The request with its SigV4 headers; path and query encoded once, the same way as signed.
    private func signedRequest(_ call: S3Call) -> HTTPClientRequest {
        let path = "/" + location.bucket + (call.key.map { "/" + $0 } ?? "")
        var headers: [(name: String, value: String)] = [("host", configuration.endpoint.hostHeader)] + call.headers
        let payload = Hex.encode(Hash.digest(.sha256, call.body))
        let sigv4 = SigV4Request(method: call.method.rawValue, path: path, query: call.query, headers: headers, payloadSHA256: payload)
        headers += signer.sign(sigv4, at: clock())
        let query = call.query.map { URIEncoding.encode($0.name, keepSlash: false) + "=" + URIEncoding.encode($0.value, keepSlash: false) }
        var request = HTTPClientRequest(url: "\(configuration.endpoint)\(URIEncoding.encode(path, keepSlash: true))"
                                        + (query.isEmpty ? "" : "?" + query.joined(separator: "&")))
        request.method = call.method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.headers.add(name: "user-agent", value: configuration.userAgent)
        if call.method == .PUT || call.method == .POST { request.body = .bytes(ByteBuffer(bytes: call.body)) }
        return request
    }

    /// The body, counted as it streams in. `cutOff`: an error body past the limit is cut
    /// there (what came is parsed); otherwise a longer body fails `.tooLarge`.
    private func read(_ body: HTTPClientResponse.Body, limit: Int, cutOff: Bool, announced: String?,
                      method: HTTPMethod) async throws(S3Transport) -> [UInt8] {
        guard method != .HEAD else { return [] }
        if !cutOff, let announced = announced.flatMap({ Int64($0) }), announced > Int64(limit) {
            throw S3Transport(.tooLarge, "\(announced) bytes announced, limit \(limit)")
        }
        var bytes: [UInt8] = []
        do {
            for try await chunk in body {
                guard chunk.readableBytes <= limit - bytes.count else {
                    if cutOff { bytes += chunk.readableBytesView.prefix(limit - bytes.count); break }
                    throw S3Transport(.tooLarge, "more than \(limit) bytes")
                }
                bytes += chunk.readableBytesView
            }
        } catch let error as S3Transport {
            throw error
        } catch {
            throw S3Transport(error, configuration: configuration)
        }
        return bytes
    }
}
