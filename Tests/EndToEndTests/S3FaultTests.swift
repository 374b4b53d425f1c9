import Foundation
import Testing
import TUFObjectStore
import TUFTestSupport

/// A bucket publication under the store's faults (issue 20, item 5), on a real seaweedfs
/// behind the fault proxy (Tests/Interop/s3_fault_proxy.py): an upload meets a 500, a 503
/// SlowDown or a dropped connection at request k. Once, the client's bounded retries absorb
/// it; for every request from k on, the run fails with exit 1 naming the object. Either way
/// python-tuf's client then reads the bucket (the last publication, or the one before), and a
/// rerun without faults completes the publication.
@Suite(.enabled(if: Interop.enabled && S3TestServer.enabled), .serialized) struct S3FaultTests {
    static let prefix = "faults"
    static let page = "simple/tiny-utils/index.json"

    enum Kind: CaseIterable, CustomStringConvertible {
        case serverError, slowDown, drop
        func fault(_ requests: ClosedRange<Int>) -> S3FaultProxy.Fault {
            switch self {
            case .serverError: .fail(requests, status: 500, code: "InternalError")
            case .slowDown: .fail(requests, status: 503, code: "SlowDown")
            case .drop: .drop(requests)
            }
        }
        var description: String { switch self { case .serverError: "500"; case .slowDown: "503 SlowDown"; case .drop: "a dropped connection" } }
    }

    @Test func anUploadMeetingAStoreFaultLeavesABucketClientsReadAndARerunCompletesIt() async throws {
        let server = try await S3TestServer.start(.seaweedfs)
        defer { server.stop() }
        let b = try BucketWorkspace(server, prefix: Self.prefix)
        let w = b.w, url = b.url
        var change = 0
        func upload(through endpoint: String) throws -> (status: Int32, output: String) {
            change += 1
            try w.setYanked(project: "tiny-utils", filename: "tiny_utils-0.1.tar.gz", "change \(change)")
            return try w.tufRepo(["generate", "--repo", w.repo, "--index", w.index, "--durability", "none", "--project", "tiny-utils",
                                  "--publish", url, "--s3-endpoint", endpoint] + Workspace.onlineKeys.flatMap { ["--key", w.pem($0)] }, check: false)
        }

        // How many requests one upload makes, through a proxy that injects nothing.
        let counting = try S3FaultProxy(upstream: server.endpoint, faults: [])
        #expect(try upload(through: counting.endpoint).status == 0)
        let total = counting.requests().count
        counting.stop()
        #expect(total > 8, "an upload's requests: \(total)")

        // Requests spread over the run: the lease and level check, the targets, the bins, the
        // snapshot, the timestamp, the plain names, the release.
        let points = Array(Set([1, 2, 3, total / 4, total / 2, (3 * total) / 4, total - 2, total - 1, total].filter { $0 >= 1 })).sorted()
        for (i, k) in points.enumerated() {
            let kind = Kind.allCases[i % Kind.allCases.count]
            for persistent in [false, true] {
                let proxy = try S3FaultProxy(upstream: server.endpoint, faults: [kind.fault(persistent ? k...(k + 10_000) : k...k)])
                let r = try upload(through: proxy.endpoint)
                proxy.stop()
                let context = "\(kind) at request \(k) of \(total)\(persistent ? " and every one after" : ", once"): \(r.output)"
                if persistent, k <= total - 2 {
                    #expect(r.status == 1 && r.output.contains("s3://\(server.bucket)/"), "\(context)")
                } else if persistent {
                    // The last two requests release the lease (read, delete): best effort, once
                    // the publication is complete; the rerun takes over the lease a gone
                    // process of this machine left.
                    #expect(r.status == 0, "\(context)")
                } else {
                    #expect(r.status == 0, "retried: \(context)")
                }
                let read = try b.read([Self.page])
                #expect(read.status == 0, "the bucket after \(context)\n\(read.output)")
                // A rerun straight to the store completes the publication.
                let rerun = try upload(through: server.endpoint)
                #expect(rerun.status == 0, "rerun after \(context)\n\(rerun.output)")
                let after = try b.read([Self.page])
                #expect(after.lines[Self.page]?["sha256"] as? String == sha256(try w.published("targets/\(Self.page)")), "\(context)")
            }
        }
    }

    /// A versioned metadata name above the published one holding other bytes is what a run
    /// killed before its timestamp left: it is replaced. A next root that does not verify
    /// stops every command, naming it.
    @Test func takenVersionedNamesAreReplacedWhenNothingNamesThemAndABadNextRootStopsEverything() async throws {
        let server = try await S3TestServer.start(.moto)
        defer { server.stop() }
        let w = try BucketWorkspace(server, prefix: Self.prefix).w
        let next = try w.version(of: "snapshot") + 1
        let config = try server.configuration(prefix: Self.prefix)
        try await S3Client.withClient(configuration: config, credentials: server.credentials) { s3 in
            _ = try await s3.put("metadata/\(next).snapshot.json", Array("left by a killed run".utf8))
        }
        try w.setYanked(project: "tiny-utils", filename: "tiny_utils-0.1.tar.gz", "over the debris")
        try w.tufRepo(["generate", "--repo", w.repo, "--index", w.index, "--durability", "none", "--project", "tiny-utils"]
                      + Workspace.onlineKeys.flatMap { ["--key", w.pem($0)] })
        let replaced = try await S3Client.withClient(configuration: config, credentials: server.credentials) { s3 in
            try await s3.get("metadata/\(next).snapshot.json", maxBytes: 1 << 20)?.bytes
        }
        #expect(replaced == Array(try w.published("metadata/\(next).snapshot.json")))

        // A root under the next version's name that does not verify (clients probe for it):
        // every publishing command stops, naming it, and writes nothing.
        let nextRoot = try w.version(of: "root") + 1
        try await S3Client.withClient(configuration: config, credentials: server.credentials) { s3 in
            _ = try await s3.put("metadata/\(nextRoot).root.json", Array("{\"signatures\": [], \"signed\": {}}".utf8))
        }
        let before = try w.metadataFiles()
        let r = try w.tufRepo(["timestamp", "--repo", w.repo, "--key", w.pem("timestamp")], check: false)
        #expect(r.status == 1 && r.output.contains("metadata/\(nextRoot).root.json"), "\(r.output)")
        #expect(try w.metadataFiles() == before, "nothing published in the folder")
    }
}
