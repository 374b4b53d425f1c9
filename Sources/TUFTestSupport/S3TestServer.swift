import Foundation
import Testing
import TUFObjectStore

/// A real S3-compatible server on 127.0.0.1, started for a test and stopped by it: seaweedfs
/// (`weed server`: master, volume, filer and S3 gateway in one process, with an `-s3.config`
/// identity, so a wrong secret is refused with SignatureDoesNotMatch) or moto's server (which
/// checks no signature). Both come from the interop venv (Scripts/bootstrap). Data lives in
/// a temporary folder; `stop()` (also at deinit) ends the process by its own pid, SIGTERM
/// then SIGKILL. TEST ONLY.
public final class S3TestServer: @unchecked Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable, CustomStringConvertible {
        case seaweedfs, moto
        public var description: String { rawValue }

        /// The program's name in the venv's bin folder.
        var program: String { self == .seaweedfs ? "weed" : "moto_server" }
    }

    public let kind: Kind
    /// `http://127.0.0.1:<port>` of the S3 API.
    public let endpoint: String
    public let bucket = "tuf-test-bucket"
    public let region = "us-east-1"
    /// The identity the server knows; the secret is made fresh for each server.
    public let credentials: AWSCredentials
    /// The secret of `credentials`, for the tools a test runs (their environment).
    public let secret: String
    let process: Process
    let folder: TempDir
    /// Kills the server if this process dies first (a crashed test leaves nothing running).
    private var watchdog: Watchdog?
    /// seaweedfs's gRPC servers (role, port): it leaves their Unix sockets in /tmp.
    let grpcSockets: [(role: String, port: Int)]
    private let stopping = OnceFlag()

    /// The venv's copy of `kind`'s program, or nil when it is not installed.
    public static func program(_ kind: Kind) -> String? {
        guard let python = Interop.python else { return nil }
        let path = URL(fileURLWithPath: python).deletingLastPathComponent().appendingPathComponent(kind.program).path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    /// True when the S3 tests should run: both servers installed, or required (then a missing
    /// one fails the test that starts it, as `TUF_INTEROP_REQUIRED=1` asks).
    public static var enabled: Bool {
        Kind.allCases.allSatisfy { program($0) != nil } || ProcessInfo.processInfo.environment["TUF_INTEROP_REQUIRED"] == "1"
    }

    /// The reason shown when the S3 tests are skipped.
    public static let skipReason: Comment = "seaweedfs and moto are not in the interop venv (run Scripts/bootstrap and set TUF_INTEROP_PYTHON)"

    /// Starts a server of `kind`, waits until it answers, and creates `bucket`.
    public static func start(_ kind: Kind) async throws -> S3TestServer {
        // One seaweedfs at a time: four starting at once beside the rest of the suite on two
        // cores kept one from opening its S3 port within a minute (CI, 2026-12-04).
        if kind == .seaweedfs { await seaweedGate.enter() }
        let server: S3TestServer
        do { server = try S3TestServer(kind) } catch {
            if kind == .seaweedfs { await seaweedGate.leave() }
            throw error
        }
        do {
            try await server.waitForBucket()
        } catch {
            server.stop()
            throw error
        }
        return server
    }

    private init(_ kind: Kind) throws {
        guard let program = Self.program(kind) else {
            throw Failure("\(kind.program) is not in the interop venv (TUF_INTEROP_PYTHON; run Scripts/bootstrap)")
        }
        self.kind = kind
        folder = TempDir(prefix: "s3-\(kind)")
        let secret = "test-secret-\(UUID().uuidString)"
        self.secret = secret
        credentials = AWSCredentials(accessKeyID: "AKIDTUFTEST", secretAccessKey: secret)
        let ports = try FreePorts.take(kind == .seaweedfs ? 8 : 1)
        let arguments: [String]
        if kind == .seaweedfs {
            arguments = try Self.seaweedArguments(ports: ports, folder: folder, accessKeyID: credentials.accessKeyID, secret: secret)
            grpcSockets = [("master", ports[1]), ("volume", ports[3]), ("filer", ports[5]), ("s3", ports[7])]
            endpoint = "http://127.0.0.1:\(ports[6])"
        } else {
            arguments = ["-H", "127.0.0.1", "-p", String(ports[0])]
            grpcSockets = []
            endpoint = "http://127.0.0.1:\(ports[0])"
        }
        process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        _ = FileManager.default.createFile(atPath: folder.sub("server.log"), contents: nil)
        let log = FileHandle(forWritingAtPath: folder.sub("server.log"))
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        watchdog = try? Watchdog(pid: process.processIdentifier)
    }

    /// `weed server` with every port given (all bound on 127.0.0.1), small volumes, no
    /// Iceberg or Lance gateways, and one identity with all rights.
    private static func seaweedArguments(ports p: [Int], folder: TempDir, accessKeyID: String, secret: String) throws -> [String] {
        // "anonymous": unsigned GETs read, as clients of a published repository do; every
        // write still needs the signed identity (a wrong secret is SignatureDoesNotMatch).
        let identity: [String: Any] = ["identities": [["name": "tuf-test", "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                                                       "credentials": [["accessKey": accessKeyID, "secretKey": secret]]],
                                                      ["name": "anonymous", "actions": ["Read"]]]]
        try JSONSerialization.data(withJSONObject: identity).write(to: URL(fileURLWithPath: folder.sub("s3.json")))
        try FileManager.default.createDirectory(atPath: folder.sub("data"), withIntermediateDirectories: true)
        return ["server", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-dir=\(folder.sub("data"))",
                "-master.port=\(p[0])", "-master.port.grpc=\(p[1])", "-master.volumeSizeLimitMB=16",
                "-volume.port=\(p[2])", "-volume.port.grpc=\(p[3])", "-volume.max=32", "-volume.preStopSeconds=0",
                "-filer", "-filer.port=\(p[4])", "-filer.port.grpc=\(p[5])", "-filer.localSocket=\(folder.sub("filer.sock"))",
                "-s3", "-s3.port=\(p[6])", "-s3.port.grpc=\(p[7])", "-s3.localSocket=\(folder.sub("s3.sock"))",
                "-s3.port.iceberg=0", "-s3.port.lance=0", "-s3.config=\(folder.sub("s3.json"))"]
    }

    /// A client configuration for the bucket, at `endpoint` (default: the server's; a fault
    /// proxy's to go through it).
    public func configuration(prefix: String = "", endpoint: String? = nil,
                              retry: S3RetryPolicy = S3RetryPolicy(baseDelay: 0.01, maxDelay: 0.05)) throws -> S3Client.Configuration {
        S3Client.Configuration(endpoint: try S3Endpoint(endpoint ?? self.endpoint), region: region,
                               location: try S3Location(bucket: bucket, prefix: prefix), retry: retry,
                               connectTimeout: 5, readTimeout: 20, requestTimeout: 60)
    }

    /// Polls until the server creates the bucket (seaweedfs opens its S3 port before its
    /// filer is ready), for at most three minutes; fails at once if the process ends.
    private func waitForBucket() async throws {
        let config = try configuration(retry: S3RetryPolicy(maxAttempts: 1))
        let client = S3Client(configuration: config, credentials: credentials)
        let end = Date().addingTimeInterval(180)
        var last = ""
        while Date() < end, process.isRunning {
            do {
                try await client.createBucket()
                await client.shutdown()
                return
            } catch {
                last = "\(error)"
            }
            try? await Task.sleep(nanoseconds: 200_000_000)
        }
        await client.shutdown()
        let why = process.isRunning ? "did not create its bucket within three minutes" : "exited (\(process.terminationStatus))"
        throw Failure("\(kind) \(why) (last: \(last)): \(logTail())")
    }

    /// The end of the server's log, for a failure message.
    public func logTail() -> String {
        let text = (try? String(contentsOfFile: folder.sub("server.log"), encoding: .utf8)) ?? ""
        return String(text.suffix(2000))
    }

    /// Ends the server: SIGTERM, then SIGKILL after a second (seaweedfs's graceful stop can
    /// wait on its gRPC servers far longer; its data is thrown away), and waits for it. Safe
    /// to call twice.
    public func stop() {
        guard stopping.first() else { return }
        watchdog?.disarm()
        ProcessEnd.stop(process, grace: 1)
        for (role, port) in grpcSockets { unlink("/tmp/seaweedfs-\(role)-grpc-\(port).sock") }
        if kind == .seaweedfs { Task { await Self.seaweedGate.leave() } }
    }

    private static let seaweedGate = StartGate()

    deinit { stop() }

    public var description: String { "\(kind) at \(endpoint)" }

    /// The environment the AWS tools (and tuf-repo) read these credentials from.
    public var awsEnvironment: [String: String] {
        ["AWS_ACCESS_KEY_ID": credentials.accessKeyID, "AWS_SECRET_ACCESS_KEY": secret, "AWS_REGION": region]
    }

    /// The bucket's plain HTTP URL of `prefix/` (what clients read, unsigned).
    public func publicURL(_ prefix: String) -> String { "\(endpoint)/\(bucket)/\(prefix)" }

    /// A server that could not be started.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }
}
