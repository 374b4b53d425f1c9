import Foundation
import Testing
import TUFObjectStore
import TUFTestSupport

/// Publishing to a bucket end to end, on a real seaweedfs on 127.0.0.1 (issue 20): the tools
/// as operators run them (`init --publish`, generate, an upload, cron's timestamp), clients
/// reading the bucket over its plain HTTP endpoint (python-tuf's ngclient and tuf-verify), a
/// wrong secret, a second signing machine taking over from the bucket alone, the lease,
/// prune in the bucket, and pip installing through `tuf-verify serve` in front of the bucket.
@Suite(.enabled(if: Interop.enabled && S3TestServer.enabled), .serialized) struct S3BucketPublishTests {
    static let prefix = "pypi"
    static let page = "simple/tiny-utils/index.json"

    /// What the bucket holds under the prefix, keys relative to it, with bytes.
    static func bucketFiles(_ server: S3TestServer) async throws -> [String: [UInt8]] {
        try await S3Client.withClient(configuration: server.configuration(prefix: prefix), credentials: server.credentials) { s3 in
            var out: [String: [UInt8]] = [:]
            for o in try await s3.list() where o.key.hasPrefix("metadata/") || o.key.hasPrefix("targets/") {
                out[o.key] = try await s3.get(o.key, maxBytes: 1 << 24)?.bytes
            }
            return out
        }
    }

    /// Every file under the folder's metadata/ and targets/, relative to it.
    static func folderFiles(_ repo: String) throws -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        for top in ["metadata", "targets"] {
            let base = "\(repo)/\(top)"
            guard let e = FileManager.default.enumerator(atPath: base) else { continue }
            for case let path as String in e {
                var isDir: ObjCBool = false
                guard FileManager.default.fileExists(atPath: "\(base)/\(path)", isDirectory: &isDir), !isDir.boolValue,
                      !(path as NSString).lastPathComponent.hasPrefix(".") else { continue }
                out["\(top)/\(path)"] = Array(try Data(contentsOf: URL(fileURLWithPath: "\(base)/\(path)")))
            }
        }
        return out
    }

    @Test func theBucketIsPublishedInOrderReadByClientsAndTakenOverFromAlone() async throws {
        let server = try await S3TestServer.start(.seaweedfs)
        defer { server.stop() }
        let url = "s3://\(server.bucket)/\(Self.prefix)"
        let w = try Workspace(initArguments: ["--publish", url, "--s3-endpoint", server.endpoint], environment: server.awsEnvironment)
        let online = Workspace.onlineKeys.flatMap { ["--key", w.pem($0)] }

        // An upload and cron's timestamp, published to the bucket by the policy's setting alone.
        try w.setYanked(project: "tiny-utils", filename: "tiny_utils-0.1.tar.gz", "yanked in the bucket")
        try w.tufRepo(["generate", "--repo", w.repo, "--index", w.index, "--durability", "none", "--link-files", "--project", "tiny-utils"] + online)
        try w.tufRepo(["timestamp", "--repo", w.repo, "--key", w.pem("timestamp")])
        #expect(try await Self.bucketFiles(server) == Self.folderFiles(w.repo), "the bucket holds the folder's files, byte for byte")

        let cache = try await S3Client.withClient(configuration: server.configuration(prefix: Self.prefix), credentials: server.credentials) { s3 in
            (try await s3.head("metadata/timestamp.json")?.cacheControl, try await s3.head("metadata/1.root.json")?.cacheControl)
        }
        #expect(cache.0 == "public, max-age=60")
        #expect(cache.1 == "public, max-age=31536000, immutable")

        // python-tuf's client and tuf-verify read the bucket over its unsigned HTTP endpoint.
        let meta = server.publicURL("\(Self.prefix)/metadata/"), targets = server.publicURL("\(Self.prefix)/targets/")
        let python = try PythonClient()
        let fetched = try python.fetch([Self.page], metadataURL: meta, targetsURL: targets, trustedRoot: "\(w.metadata)/1.root.json")
        #expect(fetched.status == 0, "\(fetched.output)")
        #expect(fetched.lines[Self.page]?["sha256"] as? String == sha256(try w.published("targets/\(Self.page)")))
        let client = try VerifyClient(trustedRoot: "\(w.metadata)/1.root.json")
        let verified = try client.run(["--metadata-dir", client.metadata, "--metadata-url", meta, "--target-base-url", targets,
                                       "--target-dir", client.targets, "--target-name", Self.page, "download"])
        #expect(verified.status == 0, "\(verified.output)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(client.targets)/\(Self.page)")).contains(Array("yanked in the bucket".utf8)))

        try await wrongSecretChangesNothing(server, w)
        try await secondMachineTakesOver(server, w, python: python, meta: meta, targets: targets)
        try await aLeaseInForceIsRefusedAndALapsedOneTakenOver(server, w)
        try await aRootRotationAndARebinReachTheBucket(server, w, python: python, meta: meta, targets: targets)
        try await pruneSweepsTheBucketByTheFoldersMarks(server, w, python: python, meta: meta, targets: targets)
        try pipInstallsThroughServeInFrontOfTheBucket(server)
    }

    /// A new root (rotated, signed in two sittings, published with the online keys) and a
    /// rebin go to the bucket like any publication; python-tuf follows both from root v1.
    func aRootRotationAndARebinReachTheBucket(_ server: S3TestServer, _ w: Workspace, python: PythonClient,
                                              meta: String, targets: String) async throws {
        let online = Workspace.onlineKeys.flatMap { ["--key", w.pem($0)] }
        let nextRoot = try w.version(of: "root") + 1
        try w.tufRepo(["rotate", "--repo", w.repo, "timestamp", "--add-key", w.pub("snapshot")])
        try w.tufRepo(["sign", "--yes", "--repo", w.repo, "root", "--key", w.pem("root1")])
        try w.tufRepo(["sign", "--yes", "--repo", w.repo, "root", "--key", w.pem("root3"), "--passphrase-env", Workspace.passphraseVariable])
        try w.tufRepo(["generate", "--repo", w.repo, "--index", w.index, "--durability", "none", "--link-files"] + online)
        try w.tufRepo(["rebin", "--repo", w.repo, "--bins", "32", "--key", w.pem("bins")] + online)
        let bucket = try await Self.bucketFiles(server)
        #expect(bucket["metadata/\(nextRoot).root.json"] == Array(try w.published("metadata/\(nextRoot).root.json")))
        #expect(bucket["metadata/root.json"] == bucket["metadata/\(nextRoot).root.json"])
        #expect(bucket["metadata/timestamp.json"] == Array(try w.published("metadata/timestamp.json")))
        #expect(bucket.keys.contains { $0.hasSuffix(".bin-1f.json") }, "the 32 new bins are in the bucket")
        let fetched = try python.fetch([Self.page], metadataURL: meta, targetsURL: targets, trustedRoot: "\(w.metadata)/1.root.json")
        #expect(fetched.status == 0, "\(fetched.output)")
        #expect(try python.trustedVersion("root") == nextRoot)
    }

    /// pip installs a real wheel through `tuf-verify serve` whose upstream is the bucket.
    func pipInstallsThroughServeInFrontOfTheBucket(_ server: S3TestServer) throws {
        let source = try Workspace.makeTemporaryFolder("tuf-e2e-s3-wheels")
        defer { try? FileManager.default.removeItem(atPath: source) }
        try WheelRepository.makeIndex(source)
        let w = try Workspace(initArguments: ["--publish", "s3://\(server.bucket)/wheels", "--s3-endpoint", server.endpoint],
                              indexSource: source, environment: server.awsEnvironment)
        let proxy = try VerifyingProxy(trustedRoot: "\(w.metadata)/1.root.json")
        try proxy.start(upstream: server.publicURL("wheels"))
        let outcome = try Installer.pip.install("demo-app", index: proxy.url)
        #expect(outcome.status == 0, "\(outcome.output)")
        #expect(outcome.installed["demo-app"] == "2.0", "\(outcome.installed)")
        #expect(proxy.stop() == 0)
    }

    /// `prune` removes in the bucket what it removes in the folder, and what a killed run left
    /// only there (a copy no role lists, a version above the published one); what the kept
    /// snapshot reaches stays, and clients still read it.
    func pruneSweepsTheBucketByTheFoldersMarks(_ server: S3TestServer, _ w: Workspace, python: PythonClient,
                                               meta: String, targets: String) async throws {
        let debris = ["targets/simple/tiny-utils/\(String(repeating: "ab", count: 32)).index.json", "metadata/999.bin-0.json"]
        try await S3Client.withClient(configuration: server.configuration(prefix: Self.prefix), credentials: server.credentials) { s3 in
            for key in debris { _ = try await s3.put(key, Array("left by a killed run".utf8)) }
        }
        let before = try await Self.bucketFiles(server)
        #expect(before.keys.filter { $0.hasSuffix(".snapshot.json") }.count > 1, "superseded snapshots to prune")
        let r = try w.tufRepo(["prune", "--repo", w.repo, "--set-retention", "0s"])
        #expect(r.output.contains("objects in s3://"), "\(r.output)")
        let after = try await Self.bucketFiles(server)
        // The folder adopted the second machine's metadata, not its pages: the bucket has
        // those beside every file the folder keeps.
        let folder = try Self.folderFiles(w.repo)
        #expect(after.filter { $0.key.hasPrefix("metadata/") } == folder.filter { $0.key.hasPrefix("metadata/") }, "the bucket keeps the folder's metadata")
        #expect(Set(folder.keys).subtracting(after.keys).sorted() == [])
        #expect(after.keys.filter { $0.hasSuffix(".snapshot.json") }.count == 1)
        for key in debris { #expect(after[key] == nil, "\(key) swept") }
        let fetched = try python.fetch([Self.page], metadataURL: meta, targetsURL: targets, trustedRoot: "\(w.metadata)/1.root.json")
        #expect(fetched.status == 0, "\(fetched.output)")
    }

    /// A wrong secret: exit 1 naming the bucket and the store's refusal, never the secret;
    /// neither the folder nor the bucket changes.
    func wrongSecretChangesNothing(_ server: S3TestServer, _ w: Workspace) async throws {
        let before = try await Self.bucketFiles(server), folder = try Self.folderFiles(w.repo)
        let saved = w.environment
        defer { w.environment = saved }
        w.environment["AWS_SECRET_ACCESS_KEY"] = "wrong-secret-0123456789"
        let r = try w.tufRepo(["timestamp", "--repo", w.repo, "--key", w.pem("timestamp")], check: false)
        #expect(r.status == 1)
        #expect(r.output.contains("SignatureDoesNotMatch") && r.output.contains(server.bucket), "\(r.output)")
        #expect(!r.output.contains("wrong-secret-0123456789") && !r.output.contains(server.secret))
        w.environment["AWS_ACCESS_KEY_ID"] = ""
        let missing = try w.tufRepo(["timestamp", "--repo", w.repo, "--key", w.pem("timestamp")], check: false)
        #expect(missing.status == 1 && missing.output.contains("AWS_ACCESS_KEY_ID is not set"), "\(missing.output)")
        w.environment = saved
        #expect(try await Self.bucketFiles(server) == before)
        #expect(try Self.folderFiles(w.repo) == folder)
    }

    /// A folder with only the policy and the trusted root publishes after adopting the
    /// bucket's chain; the first folder's next command adopts what the second published.
    func secondMachineTakesOver(_ server: S3TestServer, _ w: Workspace, python: PythonClient, meta: String, targets: String) async throws {
        let second = try Workspace.makeTemporaryFolder("tuf-e2e-takeover")
        defer { try? FileManager.default.removeItem(atPath: second) }
        try FileManager.default.createDirectory(atPath: "\(second)/metadata", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "\(w.repo)/tuf-repo.json", toPath: "\(second)/tuf-repo.json")
        try FileManager.default.copyItem(atPath: "\(w.metadata)/1.root.json", toPath: "\(second)/metadata/root.json")
        try w.setYanked(project: "tiny-utils", filename: "tiny_utils-0.1.tar.gz", "yanked by the second machine")
        let online = Workspace.onlineKeys.flatMap { ["--key", w.pem($0)] }
        let r = try w.tufRepo(["generate", "--repo", second, "--index", w.index, "--durability", "none", "--link-files", "--project", "tiny-utils"] + online)
        #expect(r.output.contains("adopted"), "\(r.output)")
        let bucket = try await Self.bucketFiles(server)
        #expect(bucket["metadata/timestamp.json"] == Array(try Data(contentsOf: URL(fileURLWithPath: "\(second)/metadata/timestamp.json"))))
        let fetched = try python.fetch([Self.page], metadataURL: meta, targetsURL: targets, trustedRoot: "\(w.metadata)/1.root.json")
        #expect(fetched.status == 0, "\(fetched.output)")
        #expect(fetched.lines[Self.page]?["sha256"] as? String == sha256(Data(bucket["targets/\(Self.page)"] ?? [])))

        // The first machine catches up from the bucket before it publishes anything.
        let back = try w.tufRepo(["timestamp", "--repo", w.repo, "--key", w.pem("timestamp")])
        #expect(back.output.contains("adopted"), "\(back.output)")
        #expect(try await Self.bucketFiles(server)["metadata/timestamp.json"] == Array(try w.published("metadata/timestamp.json")))
    }

    /// Another holder's lease in force stops a publication, naming the holder, and nothing is
    /// written; a lapsed one is taken over.
    func aLeaseInForceIsRefusedAndALapsedOneTakenOver(_ server: S3TestServer, _ w: Workspace) async throws {
        func putLease(until: Date, holder: String = "signer-b pid 7") async throws {
            let f = ISO8601DateFormatter()
            let body = Array(#"{"holder":"\#(holder)","until":"\#(f.string(from: until))"}"#.utf8)
            try await S3Client.withClient(configuration: server.configuration(prefix: Self.prefix), credentials: server.credentials) { s3 in
                _ = try await s3.put("tuf-repo-lease.json", body)
            }
        }
        try await putLease(until: Date().addingTimeInterval(3600))
        let before = try await Self.bucketFiles(server)
        let refused = try w.tufRepo(["timestamp", "--repo", w.repo, "--key", w.pem("timestamp")], check: false)
        #expect(refused.status == 1 && refused.output.contains("publisher busy") && refused.output.contains("signer-b pid 7"), "\(refused.output)")
        #expect(try await Self.bucketFiles(server) == before)
        // Left by a process of this machine that is gone (a release that failed): taken over.
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, 255)
        let here = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        try await putLease(until: Date().addingTimeInterval(3600), holder: "\(here) pid \(gone.processIdentifier) run 1")
        let afterDeath = try w.tufRepo(["timestamp", "--repo", w.repo, "--key", w.pem("timestamp")], check: false)
        #expect(afterDeath.status == 0, "\(afterDeath.output)")
        try await putLease(until: Date().addingTimeInterval(-60))
        let taken = try w.tufRepo(["timestamp", "--repo", w.repo, "--key", w.pem("timestamp")], check: false)
        #expect(taken.status == 0, "\(taken.output)")
        #expect(try await Self.bucketFiles(server)["metadata/timestamp.json"] == Array(try w.published("metadata/timestamp.json")))
    }
}
