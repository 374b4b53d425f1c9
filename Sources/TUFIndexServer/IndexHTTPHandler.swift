import Foundation
import NIOCore
import NIOHTTP1
import TUFClient

/// One connection's HTTP/1 requests handed to the verifying index, and its answers written
/// back. NIO's pipelining helper keeps answers in request order; a body is sent from the
/// verified cache file with `sendfile` (a `FileRegion`), never read into memory.
final class IndexHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let index: VerifyingIndex
    private var head: HTTPRequestHead?

    init(index: VerifyingIndex) { self.index = index }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): self.head = head
        case .body: break // GET and HEAD have no body worth reading
        case .end:
            guard let head = self.head else { return }
            self.head = nil
            respond(to: head, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let method: IndexRequest.Method
        switch head.method {
        case .GET: method = .get
        case .HEAD: method = .head
        default:
            write(IndexResponse(status: 405, reason: "Method Not Allowed", headers: [("Allow", "GET, HEAD"), ("Content-Type", "text/plain")],
                                body: .bytes(Array("only GET and HEAD\n".utf8))), head: head, file: nil, context: context)
            return
        }
        let request = IndexRequest(method: method, uri: head.uri, accept: head.headers.first(name: "Accept"),
                                   range: head.headers.first(name: "Range"))
        let index = self.index
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        Task {
            let response = await index.respond(to: request)
            // The file is opened here, off the event loop; a file gone since it verified is a 500.
            var opened: NIOFileHandle?
            var answer = response
            if method == .get, case .file(let path, _, _) = response.body {
                let fd = open(path, O_RDONLY | O_CLOEXEC)
                if fd >= 0 {
                    opened = NIOFileHandle(_deprecatedTakingOwnershipOfDescriptor: fd)
                } else {
                    answer = IndexResponse(status: 500, reason: "Internal Server Error", headers: [("Content-Type", "text/plain")],
                                           body: .bytes(Array("the verified file could not be opened\n".utf8)))
                }
            }
            let file = opened.map { UncheckedBox($0) }
            let final = answer
            eventLoop.execute {
                let (handler, context) = bound.value
                handler.write(final, head: head, file: file?.value, context: context)
            }
        }
    }

    private func write(_ response: IndexResponse, head: HTTPRequestHead, file: NIOFileHandle?, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        for (name, value) in response.headers { headers.add(name: name, value: value) }
        headers.replaceOrAdd(name: "Content-Length", value: String(response.body.length))
        headers.replaceOrAdd(name: "Server", value: "tuf-verify/\(TUFClientVersion.string)")
        let keepAlive = head.isKeepAlive
        headers.replaceOrAdd(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let status = HTTPResponseStatus.custom(code: UInt(response.status), reasonPhrase: response.reason)
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        if head.method != .HEAD {
            switch response.body {
            case .bytes(let bytes):
                context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: bytes)))), promise: nil)
            case .file(_, let offset, let length):
                if let file {
                    let region = FileRegion(fileHandle: file, readerIndex: Int(offset), endIndex: Int(offset + length))
                    context.write(wrapOutboundOut(.body(.fileRegion(region))), promise: nil)
                }
            }
        }
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            try? file?.close()
            if !keepAlive { channel.close(promise: nil) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // A client that hung up mid-answer: nothing to do but close (the cache is unaffected).
        context.close(promise: nil)
    }
}

/// Carries a value that is handed from one thread to another exactly once.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
