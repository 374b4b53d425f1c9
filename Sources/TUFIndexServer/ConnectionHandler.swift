import NIOCore
import NIOHTTP1

/// The event-loop side of one connection, between the HTTP codec and the connection's task:
/// closes the connection when no request has been under way for `idleTimeout` (a client that
/// is silent, sends its request slowly, or stays idle after a kept-alive answer), and once an
/// answer sent with `Connection: close` has been written out in full (closing earlier would
/// drop what the socket has not taken yet).
final class ConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let idleTimeout: TimeAmount
    /// Requests read and not yet answered in full (the idle timer waits while there are any).
    private var pending = 0
    private var closeAfterAnswer = false
    private var idleTimer: Scheduled<Void>?

    init(idleTimeout: TimeAmount) { self.idleTimeout = idleTimeout }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { armIdleTimer(context) }
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
        if case .head = unwrapInboundIn(data) {
            pending += 1
            idleTimer?.cancel()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head):
            closeAfterAnswer = head.headers["Connection"].contains { $0.lowercased() == "close" }
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            let written = promise ?? context.eventLoop.makePromise()
            let close = closeAfterAnswer
            context.write(data, promise: written)
            written.futureResult.assumeIsolated().whenComplete { _ in
                self.pending -= 1
                if close {
                    context.close(promise: nil)
                } else if self.pending == 0 {
                    self.armIdleTimer(context)
                }
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A client that hung up mid-answer: nothing to do but close (the cache is unaffected).
        context.close(promise: nil)
        context.fireErrorCaught(error)
    }

    /// Closes the connection unless a request arrives within `idleTimeout`.
    private func armIdleTimer(_ context: ChannelHandlerContext) {
        idleTimer?.cancel()
        let channel = context.channel
        idleTimer = context.eventLoop.scheduleTask(in: idleTimeout) { channel.close(promise: nil) }
    }
}
