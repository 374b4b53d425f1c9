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

    /// How long a connection may wait for its next request, and how many may be open at once.
    public struct Limits: Sendable {
        /// Seconds a connection may stay without a request under way (a silent client, or one
        /// that sends its request slowly) before it is closed.
        public var idleTimeout: Double = 60
        /// Connections open at once; one more is closed as soon as it is accepted.
        public var maxConnections = 128

        public init(idleTimeout: Double = 60, maxConnections: Int = 128) {
            self.idleTimeout = idleTimeout; self.maxConnections = maxConnections
        }
    }

    /// Binds `host:port` and starts answering.
    public static func start(index: VerifyingIndex, host: String, port: Int, limits: Limits = Limits(), threads: Int = 2) async throws -> IndexServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, threads))
        let open = NIOLockedValueBox(0)
        let idle = TimeAmount.nanoseconds(Int64(min(limits.idleTimeout, 1e9) * 1e9))
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 1)
            .childChannelInitializer { channel in
                // Over the cap: NIO closes a connection whose set-up failed, before a byte is
                // read (a flood cannot use up the descriptors that answers need).
                let admitted = open.withLockedValue { count in
                    guard count < limits.maxConnections else { return false }
                    count += 1
                    return true
                }
                guard admitted else { return channel.eventLoop.makeFailedFuture(ConnectionLimitReached()) }
                channel.closeFuture.whenComplete { _ in open.withLockedValue { $0 -= 1 } }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(IndexHTTPHandler(index: index, listenHost: host, idleTimeout: idle))
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

/// Why a connection over `Limits.maxConnections` was closed.
struct ConnectionLimitReached: Error {}
