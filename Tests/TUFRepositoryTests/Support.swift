import Foundation
import TUFCanonicalJSON
import TUFCrypto
import TUFMetadata
import TUFRepository
import TUFTestSupport

/// A small PEP 691 index snapshot written to disk, with real distribution files.
struct IndexBuilder {
    struct File {
        var name: String; var content: String; var yanked: JSON = false
        /// The URL on the page; by default `../../packages/<project>/<name>`.
        var url: String?
    }
    var projects: [String: [File]] = [:]

    static let small = IndexBuilder(projects: [
        "alpha": [File(name: "alpha-1.0.tar.gz", content: "alpha one"), File(name: "alpha-1.1.tar.gz", content: "alpha one one")],
        "beta": [File(name: "beta-0.1-py3-none-any.whl", content: "beta wheel"),
                 File(name: "beta-0.2-py3-none-any.whl", content: "beta wheel 2", yanked: "broken metadata")],
        "gamma": [File(name: "gamma-2.0.tar.gz", content: "gamma", yanked: true)],
        "delta-pkg": [File(name: "delta_pkg-3.0.tar.gz", content: "delta")],
    ])

    /// The target paths a repository made from this index lists: the project list, each
    /// page, each file.
    var targetPaths: [String] {
        ["simple/index.json"] + projects.flatMap { name, files in ["simple/\(name)/index.json"] + files.map { "packages/\(name)/\($0.name)" } }
    }

    static func sha256(_ s: String) -> String { Hex.encode(Hash.digest(.sha256, Array(s.utf8))) }

    func write(to dir: String) throws {
        let fm = FileManager.default
        try? fm.removeItem(atPath: dir)
        try fm.createDirectory(atPath: dir + "/simple", withIntermediateDirectories: true)
        let list: JSON = .object(JSONObject([
            .init(key: "meta", value: ["api-version": "1.1"]),
            .init(key: "projects", value: .array(projects.keys.sorted().map { ["name": .string($0)] })),
        ]))
        try Data(PythonJSONEncoder.encode(list)).write(to: URL(fileURLWithPath: dir + "/simple/index.json"))
        for (name, files) in projects {
            try fm.createDirectory(atPath: dir + "/simple/\(name)", withIntermediateDirectories: true)
            try fm.createDirectory(atPath: dir + "/packages/\(name)", withIntermediateDirectories: true)
            var entries: [JSON] = []
            for f in files {
                try Data(f.content.utf8).write(to: URL(fileURLWithPath: dir + "/packages/\(name)/\(f.name)"))
                entries.append(.object(JSONObject([
                    .init(key: "filename", value: .string(f.name)),
                    .init(key: "url", value: .string(f.url ?? "../../packages/\(name)/\(f.name)")),
                    .init(key: "hashes", value: ["sha256": .string(Self.sha256(f.content))]),
                    .init(key: "size", value: .int(Int64(f.content.utf8.count))),
                    .init(key: "yanked", value: f.yanked),
                ])))
            }
            let page: JSON = .object(JSONObject([
                .init(key: "meta", value: ["api-version": "1.1"]), .init(key: "name", value: .string(name)),
                .init(key: "files", value: .array(entries)), .init(key: "versions", value: []),
            ]))
            try Data(PythonJSONEncoder.encode(page)).write(to: URL(fileURLWithPath: dir + "/simple/\(name)/index.json"))
        }
    }
}

/// A repository made from the test keys: root ed1, ed2, ed3 (2 of 3), targets ed4, bins ed5,
/// bin-n ed6, snapshot ed7, timestamp ed8.
enum Fixture {
    static let now = Expiry(iso8601: "2026-01-01T00:00:00Z")!
    static func key(_ n: String) -> Key { TestKeys.publicKey(n) }
    static let online: [any Signer] = ["ed6", "ed7", "ed8"].map(TestKeys.key)
    static let offline: [any Signer] = ["ed1", "ed2", "ed4", "ed5"].map(TestKeys.key)

    /// Unstaggered unless asked: the refresh tests name the exact bins a window makes due.
    static func options(bins: Int = 16, succinct: Bool = false, stagger: Bool = false) throws -> InitOptions {
        InitOptions(rootKeys: ["ed1", "ed2", "ed3"].map(key), rootThreshold: 2, targetsKeys: [key("ed4")],
                    binsKeys: [key("ed5")], binNKeys: [key("ed6")], snapshotKeys: [key("ed7")], timestampKeys: [key("ed8")],
                    policy: try RepositoryPolicy(binCount: bins, succinct: succinct, staggerBins: stagger))
    }

    /// A published repository with empty bins, signed at `now` (by default the fixed `now`).
    static func repository(in dir: TempDir, bins: Int = 16, succinct: Bool = false, stagger: Bool = false, now: Expiry = now) throws -> Repository {
        let (repo, outcome) = try Repository.initialize(at: dir.sub("repo"), options: options(bins: bins, succinct: succinct, stagger: stagger),
                                                        signers: offline + online, now: now, durability: .none)
        precondition(outcome.waiting == nil, "\(outcome)")
        return repo
    }

    /// Every file under `dir`, relative path → bytes (skipping the lock file, `state/` and
    /// `queue/` (the state store and the upload queue: database files differ byte-wise run to run) and the publication
    /// log, whose times are the wall clock's).
    static func files(_ dir: String) -> [String: Data] {
        var out: [String: Data] = [:]
        let e = FileManager.default.enumerator(atPath: dir)
        while let p = e?.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: dir + "/" + p, isDirectory: &isDir), !isDir.boolValue, p != ".lock", !p.hasPrefix("state/"), !p.hasPrefix("queue/"),
               p != "journal/publications.tsv" {
                out[p] = FileManager.default.contents(atPath: dir + "/" + p)
            }
        }
        return out
    }
}
