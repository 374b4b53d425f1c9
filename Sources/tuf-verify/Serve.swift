import ArgumentParser
import Foundation
import TUFClient
import TUFHTTPClient
import TUFIndexServer
import TUFMetadata

/// `serve`: a local simple index for pip and uv that answers only with what verified.
struct Serve: AsyncParsableCommand {
    static let needs: [GlobalOptions.Need] = [.metadataDir, .metadataURL, .targetBaseURL]
    static let configuration = CommandConfiguration(
        abstract: "Serve a verifying simple index (PEP 503/691) for pip and uv on loopback.",
        usage: GlobalOptions.usage("serve", needs: needs, optional: ["--no-target-hash-prefix"],
                                   arguments: "[--host <addr>] [--port <n>] [--cache-dir <dir>] [--refresh-interval <s>] [--idle-timeout <s>] [--max-connections <n>]"),
        discussion: """
        Prints the index URL on its first line of output, then answers installers:
          pip install --index-url http://127.0.0.1:PORT/simple/ NAME
          uv pip install --index-url http://127.0.0.1:PORT/simple/ NAME
        GET /simple/ and /simple/<project>/ answer PEP 691 JSON or PEP 503 HTML by the Accept header, \
        each page only after it verified against the trusted metadata (refreshed through TUF at most \
        every --refresh-interval seconds, at once when a project or file is not found, and whenever a trusted \
        role has expired: metadata is never used past its expiry). File URLs \
        point back here: each file is downloaded through TUF into --cache-dir, checked against its signed \
        length and hashes before a byte is sent, and served from there (GET, HEAD, byte ranges). The \
        yank state the installer sees is the signed one.

        Anything that does not verify (malicious yank, rollback, freeze, bad signature, hash mismatch) is \
        answered 409 with the attack named in the status line and body, and logged on stderr with the \
        project or file, so the installer fails instead of installing something else; an upstream that \
        cannot be reached is 502, a project the metadata does not list 404. SIGTERM or SIGINT stops it.

        Only requests whose Host names the address listened on (or localhost for a loopback address) \
        are answered (421 otherwise: a web page cannot reach the index through DNS rebinding); a \
        connection with no request under way for --idle-timeout seconds is closed, and connections past \
        --max-connections are closed as they arrive.
        """)
    @ParentCommand var parent: TUFVerify
    @Option(help: ArgumentHelp("Address to listen on (loopback unless you mean otherwise).", valueName: "addr"))
    var host = "127.0.0.1"
    @Option(help: ArgumentHelp("Port to listen on; 0 lets the system choose (printed).", valueName: "n"))
    var port = 0
    @Option(help: ArgumentHelp("Folder of verified files, kept between runs (default: <metadata-dir>/cache).", valueName: "dir"))
    var cacheDir: String?
    @Option(help: ArgumentHelp("Seconds between metadata refreshes (sooner when a trusted role expires).", valueName: "s"))
    var refreshInterval: Double = 60
    @Option(help: ArgumentHelp("Seconds an upstream may stay silent before a download fails.", valueName: "s"))
    var fetchTimeout: Double = 30
    @Option(help: ArgumentHelp("Seconds a connection may wait for its next request (or send one) before it is closed.", valueName: "s"))
    var idleTimeout: Double = 60
    @Option(help: ArgumentHelp("Connections open at once; more are closed as they arrive.", valueName: "n"))
    var maxConnections = 128
    @Flag(help: "Also stop when standard input closes (for a supervising script or test).")
    var untilStdinCloses = false

    private var options: GlobalOptions { parent.options }

    func validate() throws {
        try options.require(Self.needs)
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0 to 65535") }
        guard refreshInterval >= 0, refreshInterval.isFinite else { throw ValidationError("--refresh-interval must be 0 or more seconds") }
        guard fetchTimeout > 0, fetchTimeout.isFinite else { throw ValidationError("--fetch-timeout must be more than 0 seconds") }
        guard idleTimeout > 0, idleTimeout.isFinite else { throw ValidationError("--idle-timeout must be more than 0 seconds") }
        guard maxConnections >= 1 else { throw ValidationError("--max-connections must be 1 or more") }
    }

    func run() async throws {
        // One client for every upstream request of the server's life: connections are reused.
        try await HTTPFetcher.withFetcher(idleTimeout: fetchTimeout, userAgent: GlobalOptions.userAgent) { http in
            try await serve(upstream: DefaultFetcher(http: http))
        }
    }

    private func serve(upstream: any Fetcher) async throws {
        let metadataDir = options.metadataDir!
        // The trusted root is read now, so a missing one fails before anything listens.
        _ = try options.makeUpdater(fetcher: upstream)
        var configuration = VerifyingIndex.Configuration(metadataDir: metadataDir, metadataBaseURL: options.metadataURL!,
                                                         targetBaseURL: options.targetBaseURL!, cacheDir: cacheDir ?? "\(metadataDir)/cache",
                                                         fetcher: upstream)
        configuration.refreshInterval = refreshInterval
        configuration.clock = { VerificationTime.clock.now() }
        configuration.updaterConfig.prefixTargetsWithHash = !options.noTargetHashPrefix
        configuration.log = { ServeLog.line($0) }
        configuration.progress = Output.terminalProgress
        try FileManager.default.createDirectory(atPath: configuration.cacheDir, withIntermediateDirectories: true)
        let limits = IndexServer.Limits(idleTimeout: idleTimeout, maxConnections: maxConnections)
        do {
            // The body throws nothing: what `run` throws is that it could not listen.
            try await IndexServer.run(index: VerifyingIndex(configuration), host: host, port: port, limits: limits) { server in
                announce(server)
                await StopRequest.wait(orWhenStdinCloses: untilStdinCloses)
            }
        } catch {
            throw ClientError(.invalidArgument, "cannot listen on \(host):\(port): \(error)")
        }
        ServeLog.line("stopped")
    }

    private func announce(_ server: IndexServer) {
        let url = "http://\(host.contains(":") ? "[\(host)]" : host):\(server.port)/simple/"
        // Written straight to the descriptor: a test or script reads this line through a pipe.
        FileHandle.standardOutput.write(Data("serving \(url)\n".utf8))
        if !HostHeader.isLoopback(host) { ServeLog.line("warning: listening on \(host), which is not a loopback address") }
        ServeLog.line("pip install --index-url \(url) NAME   (uv: uv pip install --index-url \(url) NAME)")
    }
}

/// Lines on stderr, prefixed with the command (escaped: they quote names from the network).
enum ServeLog {
    static func line(_ text: String) { Output.standardError("tuf-verify serve: \(DisplayText.escaped(text))\n") }
}

/// What stops the server: SIGTERM or SIGINT (handled, instead of the default of dying
/// mid-write), or standard input closing when asked for.
enum StopRequest {
    static func wait(orWhenStdinCloses watchStdin: Bool) async {
        let (requests, request) = AsyncStream.makeStream(of: Void.self)
        let sources = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { request.yield() }
            source.resume()
            return source
        }
        defer { sources.forEach { $0.cancel() } }
        if watchStdin {
            Thread.detachNewThread {
                var byte: UInt8 = 0
                while read(0, &byte, 1) > 0 {}
                request.yield()
            }
        }
        for await _ in requests { break }
    }
}
