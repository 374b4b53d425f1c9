import Foundation
import NIOCore
import NIOHTTP1
import TUFClient

/// One connection's HTTP/1 requests handed to the verifying index, and its answers written
/// back. NIO's pipelining helper keeps answers in request order; a file is sent with
/// `sendfile` (a `FileRegion`) from the descriptor the index checked it through. A request
/// whose `Host` is not this server is refused before the index sees it, and a connection
/// with no request under way for `idleTimeout` (a slow or silent client) is closed.
final class IndexHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let index: VerifyingIndex
    private let listenHost: String
    private let idleTimeout: TimeAmount
    private var head: HTTPRequestHead?
    /// Requests read and not yet answered in full (the idle timer waits while there are any).
    private var pending = 0
    private var idleTimer: Scheduled<Void>?

    init(index: VerifyingIndex, listenHost: String, idleTimeout: TimeAmount) {
        self.index = index; self.listenHost = listenHost; self.idleTimeout = idleTimeout
    }

    func channelActive(context: ChannelHandlerContext) {
        armIdleTimer(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        idleTimer?.cancel()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            pending += 1
            idleTimer?.cancel()
        case .body: break // GET and HEAD have no body worth reading
        case .end:
            guard let head = self.head else { return }
            self.head = nil
            respond(to: head, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        if let refusal = refusal(of: head, context: context) {
            write(refusal, head: head, context: context)
            return
        }
        let request = IndexRequest(method: head.method == .HEAD ? .head : .get, uri: head.uri, accept: head.headers.first(name: "Accept"),
                                   range: head.headers.first(name: "Range"))
        let index = self.index
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        Task {
            let response = await index.respond(to: request)
            eventLoop.execute {
                let (handler, context) = bound.value
                handler.write(response, head: head, context: context)
            }
        }
    }

    /// The answer for a request the index must not see: another method, or another `Host`.
    private func refusal(of head: HTTPRequestHead, context: ChannelHandlerContext) -> IndexResponse? {
        guard head.method == .GET || head.method == .HEAD else {
            return IndexResponse(status: 405, reason: "Method Not Allowed", headers: [("Allow", "GET, HEAD"), ("Content-Type", "text/plain")],
                                 body: .bytes(Array("only GET and HEAD\n".utf8)))
        }
        let local = context.channel.localAddress
        switch HostHeader.check(head.headers["Host"], localAddress: local?.ipAddress ?? "", localPort: local?.port ?? 0, listenHost: listenHost) {
        case .allowed: return nil
        case .invalid:
            return IndexResponse(status: 400, reason: "Bad Request", headers: [("Content-Type", "text/plain")],
                                 body: .bytes(Array("a request needs exactly one Host header\n".utf8)))
        case .misdirected:
            return IndexResponse(status: 421, reason: "Misdirected Request", headers: [("Content-Type", "text/plain")],
                                 body: .bytes(Array("this server answers only by the address it listens on (Host does not name it)\n".utf8)))
        }
    }

    private func write(_ response: IndexResponse, head: HTTPRequestHead, context: ChannelHandlerContext) {
        // The descriptor is this handler's from here: closed once the answer is written.
        let file = if case .file(let opened, _, _) = response.body, let fd = opened.take() {
            NIOFileHandle(_deprecatedTakingOwnershipOfDescriptor: fd)
        } else {
            nil as NIOFileHandle?
        }
        var answer = response
        if case .file = response.body, file == nil {
            answer = IndexResponse(status: 500, reason: "Internal Server Error", headers: [("Content-Type", "text/plain")],
                                   body: .bytes(Array("the verified file was already sent\n".utf8)))
        }
        var headers = HTTPHeaders()
        for (name, value) in answer.headers { headers.add(name: name, value: value) }
        headers.replaceOrAdd(name: "Content-Length", value: String(answer.body.length))
        headers.replaceOrAdd(name: "Server", value: "tuf-verify/\(TUFClientVersion.string)")
        let keepAlive = head.isKeepAlive
        headers.replaceOrAdd(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let status = HTTPResponseStatus.custom(code: UInt(answer.status), reasonPhrase: answer.reason)
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        if head.method != .HEAD {
            switch answer.body {
            case .bytes(let bytes):
                context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: bytes)))), promise: nil)
            case .file(_, let offset, let length):
                if let file {
                    let region = FileRegion(fileHandle: file, readerIndex: Int(offset), endIndex: Int(offset + length))
                    context.write(wrapOutboundOut(.body(.fileRegion(region))), promise: nil)
                }
            case .head: break
            }
        }
        let channel = context.channel
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            try? file?.close()
            let (handler, context) = bound.value
            handler.pending -= 1
            if !keepAlive {
                channel.close(promise: nil)
            } else if handler.pending == 0 {
                handler.armIdleTimer(context)
            }
        }
    }

    /// Closes the connection unless a request arrives within `idleTimeout`.
    private func armIdleTimer(_ context: ChannelHandlerContext) {
        idleTimer?.cancel()
        let channel = context.channel
        idleTimer = context.eventLoop.scheduleTask(in: idleTimeout) { channel.close(promise: nil) }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // A client that hung up mid-answer: nothing to do but close (the cache is unaffected).
        context.close(promise: nil)
    }
}
