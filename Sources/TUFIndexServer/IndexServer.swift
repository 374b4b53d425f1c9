import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import TUFClient

/// The HTTP/1 server of `tuf-verify serve`, listening on one address (loopback unless
/// told otherwise) and answering from a `VerifyingIndex`.
public final class IndexServer: Sendable {
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    /// The one shutdown, however many callers ask for it (a second `shutdownGracefully`
    /// would never answer).
    private let stopping = NIOLockedValueBox<Task<Void, Never>?>(nil)

    /// The port it listens on (the one chosen by the system when asked for port 0).
    public var port: Int { channel.localAddress?.port ?? 0 }
    public var host: String { channel.localAddress?.ipAddress ?? "" }

    private init(group: MultiThreadedEventLoopGroup, channel: any Channel) { self.group = group; self.channel = channel }

    /// Binds `host:port` and starts answering.
    public static func start(index: VerifyingIndex, host: String, port: Int, threads: Int = 2) async throws -> IndexServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, threads))
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(IndexHTTPHandler(index: index))
                }
            }
        do {
            let channel = try await bootstrap.bind(host: host, port: port).get()
            return IndexServer(group: group, channel: channel)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    /// Stops listening, lets answers in progress finish, and releases the threads.
    public func stop() async {
        let task = stopping.withLockedValue { current in
            if let current { return current }
            let channel = self.channel, group = self.group
            let task = Task {
                try? await channel.close()
                try? await group.shutdownGracefully()
            }
            current = task
            return task
        }
        await task.value
    }

    /// Returns when the listening socket has closed.
    public func waitUntilClosed() async {
        try? await channel.closeFuture.get()
    }
}
