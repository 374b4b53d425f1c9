import Glibc
import NIOCore
import NIOHTTP1
import TUFClient

/// Writes an `IndexResponse` to a connection: the head, then the body from memory or from the
/// descriptor the index checked the file through, then the end. Each write waits while the
/// socket cannot take more, so a slow reader holds no more than NIO's write buffer.
struct ResponseWriter {
    let outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
    let allocator: ByteBufferAllocator

    /// Bytes read from a file per write.
    static let chunkSize = 256 << 10

    /// The file changed length after it was checked: the answer is cut off (the connection
    /// closes) rather than passed off as complete with fewer bytes than announced.
    struct FileShrank: Error {}

    func send(_ response: IndexResponse, for request: HTTPRequestHead) async throws {
        // The descriptor is this answer's from here: closed once its bytes are sent.
        var answer = response, file: (fd: Int32, offset: Int64, length: Int64)?
        if case .file(let opened, let offset, let length) = response.body {
            if let fd = opened.take() {
                file = (fd, offset, length)
            } else {
                answer = IndexResponse(status: 500, reason: "Internal Server Error", headers: [("Content-Type", "text/plain")],
                                       body: .bytes(Array("the verified file was already sent\n".utf8)))
            }
        }
        defer { if let file { close(file.fd) } }
        let status = HTTPResponseStatus.custom(code: UInt(answer.status), reasonPhrase: answer.reason)
        let head = HTTPServerResponsePart.head(HTTPResponseHead(version: request.version, status: status,
                                                                headers: Self.headers(of: answer, keepAlive: request.isKeepAlive)))
        switch answer.body {
        case .bytes(let bytes) where request.method != .HEAD:
            try await outbound.write(contentsOf: [head, .body(.byteBuffer(allocator.buffer(bytes: bytes))), .end(nil)])
        case .file where request.method != .HEAD:
            try await outbound.write(head)
            if let file { try await sendFile(file.fd, offset: file.offset, length: file.length) }
            try await outbound.write(.end(nil))
        default:
            try await outbound.write(contentsOf: [head, .end(nil)])
        }
    }

    /// `length` bytes from `offset` of open file `fd`, read with pread from that very
    /// descriptor. NIO's sendfile path (`FileRegion`) needs an `NIOFileHandle`, which NIO
    /// deprecates, and NIOFileSystem cannot adopt a descriptor: so the bytes pass through
    /// user space, a chunk at a time. The file was hashed just before: its pages are cached.
    private func sendFile(_ fd: Int32, offset: Int64, length: Int64) async throws {
        var position = offset, remaining = length
        while remaining > 0 {
            let count = Int(min(remaining, Int64(Self.chunkSize)))
            var chunk = allocator.buffer(capacity: count)
            let read = chunk.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { space in
                var n: Int
                repeat { n = pread(fd, space.baseAddress, count, off_t(position)) } while n < 0 && errno == EINTR
                return max(0, n)
            }
            guard read > 0 else { throw FileShrank() }
            position += Int64(read)
            remaining -= Int64(read)
            try await outbound.write(.body(.byteBuffer(chunk)))
        }
    }

    static func headers(of answer: IndexResponse, keepAlive: Bool) -> HTTPHeaders {
        var headers = HTTPHeaders()
        for (name, value) in answer.headers { headers.add(name: name, value: value) }
        headers.replaceOrAdd(name: "Content-Length", value: String(answer.body.length))
        headers.replaceOrAdd(name: "Server", value: "tuf-verify/\(TUFClientVersion.string)")
        headers.replaceOrAdd(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        return headers
    }
}
