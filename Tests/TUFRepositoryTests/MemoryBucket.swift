import Foundation
import TUFClient
import TUFCrypto
import TUFMetadata
import TUFRepository

/// An `ObjectBucket` in memory with S3's create-only rule, a log of every put in order, and
/// faults on demand: the pure bucket logic (order, conflicts, adoption, takeover) is tested
/// here without a server; EndToEndTests run the same against seaweedfs and moto.
final class MemoryBucket: ObjectBucket, @unchecked Sendable {
    let name = "s3://memory/repo/"
    var objects: [String: [UInt8]] = [:]
    /// Every object offered to `put`, in order, with what became of it (nil: the put failed).
    private(set) var log: [(object: BucketObject, outcome: BucketPutOutcome?)] = []
    private(set) var deleted: [String] = []
    /// The number (from 1, over every object offered) of the put that fails, once.
    var failingPut: Int?
    /// With `failingPut`: the failure is the publisher's death (a SIGKILL), so every later
    /// call fails too and nothing of its clean-up (deletes, the lease's release) reaches the
    /// bucket, until `dead` is reset.
    var killsAtFailure = false
    var dead = false
    /// Called before each object is stored, with its number: another publisher's move.
    var beforePut: ((Int, BucketObject) -> Void)?

    private func checkAlive() throws(RepositoryError) {
        if dead { throw RepositoryError(.bucket, "network: \(name): the publisher is gone") }
    }

    func get(_ key: String, maxBytes: Int) throws(RepositoryError) -> [UInt8]? {
        try checkAlive()
        guard let bytes = objects[key] else { return nil }
        if bytes.count > maxBytes { throw RepositoryError(.bucket, "\(name)\(key): over \(maxBytes) bytes") }
        return bytes
    }

    func getMany(_ keys: [String], maxBytes: Int) throws(RepositoryError) -> [[UInt8]?] {
        try keys.map { (k) throws(RepositoryError) in try get(k, maxBytes: maxBytes) }
    }

    func put(_ batch: [BucketObject]) throws(RepositoryError) -> [BucketPutOutcome] {
        try checkAlive()
        var outcomes: [BucketPutOutcome] = []
        for object in batch {
            let number = log.count + 1
            if number == failingPut {
                failingPut = nil
                dead = killsAtFailure
                log.append((object, nil))
                throw RepositoryError(.bucket, "server: PUT \(name)\(object.key): injected 503")
            }
            beforePut?(number, object)
            let outcome: BucketPutOutcome = object.createOnly && objects[object.key] != nil ? .taken : .stored
            if outcome == .stored { objects[object.key] = object.bytes }
            log.append((object, outcome))
            outcomes.append(outcome)
        }
        return outcomes
    }

    func delete(_ keys: [String]) throws(RepositoryError) {
        try checkAlive()
        for k in keys { objects[k] = nil }
        deleted += keys
    }

    func list(_ prefix: String) throws(RepositoryError) -> [String: Int64] {
        try checkAlive()
        return Dictionary(uniqueKeysWithValues: objects.filter { $0.key.hasPrefix(prefix) }.map { ($0.key, Int64($0.value.count)) })
    }

    /// The objects a client reads (the lease aside).
    var published: [String: [UInt8]] { objects.filter { $0.key != "tuf-repo-lease.json" } }

    /// What a client starting from `root` (version 1) would accept: the root chain, the
    /// timestamp, its snapshot and every role it lists, and each listed target's hash-prefixed
    /// copy where the role's target is a page. Returns the timestamp's version.
    func verifyAsClient(trustedRoot: [UInt8], now: Expiry) throws -> Int64 {
        var trusted = try TrustedMetadataSet(rootBytes: trustedRoot, referenceTime: now)
        while let next = objects["metadata/\(trusted.root.signed.version + 1).root.json"] { _ = try trusted.updateRoot(next) }
        _ = try trusted.updateTimestamp(try require("metadata/timestamp.json"))
        _ = try trusted.updateSnapshot(try require("metadata/\(trusted.timestamp!.signed.snapshotMeta.version).snapshot.json"))
        let meta = trusted.snapshot!.signed.meta
        func role(_ name: String) throws -> [UInt8] { try require("metadata/\(meta["\(name).json"]!.version).\(name).json") }
        _ = try trusted.updateDelegatedTargets(try role("targets"), role: "targets", delegator: "root")
        _ = try trusted.updateDelegatedTargets(try role("bins"), role: "bins", delegator: "targets")
        for file in meta.keys where file != "targets.json" && file != "bins.json" {
            let name = String(file.dropLast(5))
            let bin = try trusted.updateDelegatedTargets(try role(name), role: name, delegator: "bins")
            for (path, target) in bin.signed.targets where path.hasSuffix("index.json") {
                let copy = try require("targets/\(TargetPath.hashPrefixed(path, digest: target.hashes["sha256"]!))")
                guard Hash.digest(.sha256, copy) == Hex.decode(target.hashes["sha256"]!) else { throw BucketCheckError("targets/\(path): other bytes") }
            }
        }
        return trusted.timestamp!.signed.version
    }

    private func require(_ key: String) throws -> [UInt8] {
        guard let bytes = objects[key] else { throw BucketCheckError("\(name)\(key) is missing") }
        return bytes
    }
}

struct BucketCheckError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
