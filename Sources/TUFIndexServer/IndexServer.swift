import NIOCore
import NIOHTTP1
import NIOPosix
import TUFClient

/// The HTTP/1 server of `tuf-verify serve`, listening on one address (loopback unless told
/// otherwise) and answering from a `VerifyingIndex`. On NIO's async channels, structured:
/// `run` binds, then answers in one task group, a child task per connection
/// (`IndexConnection`), while its body runs; when the body returns the server stops, and
/// `run` returns once every connection has closed.
public final class IndexServer: Sendable {
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

    private let listener: any Channel
    private let connections: ConnectionRegistry

    /// The port it listens on (the one chosen by the system when asked for port 0).
    public var port: Int { listener.localAddress?.port ?? 0 }
    public var host: String { listener.localAddress?.ipAddress ?? "" }

    private init(listener: any Channel, connections: ConnectionRegistry) { self.listener = listener; self.connections = connections }

    /// Stops taking connections: returns once the listening socket has closed; idle
    /// connections close now, and one with an answer under way once that answer is sent.
    /// Safe to call again.
    public func stop() async {
        for channel in connections.stop() { channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent()) }
        try? await listener.close()
        try? await listener.closeFuture.get()
    }

    /// Binds `host:port` and answers connections while `body` runs with the server (its port
    /// known); then stops it, and returns what `body` returned once every connection has closed
    /// and the threads are released. Throws when it cannot listen.
    public static func run<T>(index: VerifyingIndex, host: String, port: Int, limits: Limits = Limits(), threads: Int = 2,
                              _ body: (IndexServer) async throws -> T) async throws -> T {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, threads))
        let registry = ConnectionRegistry(limit: limits.maxConnections)
        let listener: NIOAsyncChannel<Admission, Never>
        do {
            listener = try await bind(group, host: host, port: port, idleTimeout: limits.idleTimeout, registry: registry)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        let server = IndexServer(listener: listener.channel, connections: registry)
        async let accepting: Void = accept(listener, connection: IndexConnection(index: index, listenHost: host))
        let outcome: Result<T, any Error>
        do { outcome = .success(try await body(server)) } catch { outcome = .failure(error) }
        await server.stop()
        await accepting
        try? await group.shutdownGracefully()
        return try outcome.get()
    }

    /// What the set-up of an accepted connection came to.
    enum Admission: Sendable {
        case admitted(NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>)
        /// Over the cap, or the server is stopping: already closed.
        case refused
    }

    private static func bind(_ group: any EventLoopGroup, host: String, port: Int, idleTimeout: Double,
                             registry: ConnectionRegistry) async throws -> NIOAsyncChannel<Admission, Never> {
        let idle = TimeAmount.nanoseconds(Int64(min(idleTimeout, 1e9) * 1e9))
        return try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture { () throws -> Admission in
                    // Over the cap: closed before a byte is read (a flood cannot use up the
                    // descriptors that answers need).
                    guard registry.admit(channel) else {
                        channel.close(promise: nil)
                        return .refused
                    }
                    do {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(ConnectionHandler(idleTimeout: idle))
                        return .admitted(try NIOAsyncChannel(wrappingChannelSynchronously: channel))
                    } catch {
                        channel.close(promise: nil)
                        throw error
                    }
                }
            }
    }

    /// Takes connections until the listening socket closes, each answered in a child task;
    /// returns once all of them have closed. An error of the listening socket ends the intake
    /// only: the connections open then finish as they would.
    private static func accept(_ listener: NIOAsyncChannel<Admission, Never>, connection: IndexConnection) async {
        try? await listener.executeThenClose { inbound in
            await withDiscardingTaskGroup { connections in
                do {
                    for try await admission in inbound {
                        guard case .admitted(let channel) = admission else { continue }
                        connections.addTask { await connection.serve(channel) }
                    }
                } catch {}
            }
        }
    }
}
