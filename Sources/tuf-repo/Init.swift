import Foundation
import ArgumentParser
import TUFMetadata
import TUFRepository
import TUFRepositoryS3

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a PEP 458 repository: root, targets → bins → bin-n, snapshot, timestamp.",
        discussion: """
        Roles that reach their threshold with the --sign-with keys are ready; the others wait in \
        DIR/staged/ for `tuf-repo sign`. Nothing is published until every role is fully signed \
        (online roles need their keys: give them to --sign-with, or run generate later). \
        Defaults per PEP 458: root, targets and bins expire in 365d; bin-n, snapshot and timestamp in 1d.
        """)

    @OptionGroup var repoOption: RepoOption
    @Option(name: .customLong("root-key"), help: ArgumentHelp("A root public key (.pub.json); repeat.", valueName: "PUB"))
    var rootKeys: [String] = []
    @Option(name: .long, help: "Signatures root needs.")
    var rootThreshold: Int
    @Option(name: .customLong("targets-key"), help: ArgumentHelp("A targets public key; repeat.", valueName: "PUB"))
    var targetsKeys: [String] = []
    @Option(name: .long, help: "Signatures targets needs.")
    var targetsThreshold = 1
    @Option(name: .customLong("bins-key"), help: ArgumentHelp("A bins public key; repeat.", valueName: "PUB"))
    var binsKeys: [String] = []
    @Option(name: .long, help: "Signatures bins needs.")
    var binsThreshold = 1
    @Option(name: .customLong("bin-n-key"), help: ArgumentHelp("The online key of the bin-n roles.", valueName: "PUB"))
    var binNKey: String
    @Option(name: .customLong("snapshot-key"), help: ArgumentHelp("The online snapshot key.", valueName: "PUB"))
    var snapshotKey: String
    @Option(name: .customLong("timestamp-key"), help: ArgumentHelp("The online timestamp key.", valueName: "PUB"))
    var timestampKey: String
    @Option(name: .long, help: "Number of hashed bins, a power of two.")
    var bins = 16_384
    @Flag(name: .long, help: "Use TAP 15 succinct hashed bins instead of explicit path_hash_prefixes roles (recommended for a new repository: bins.json stays a few hundred bytes, and clients compute a target's bin from its hash).")
    var succinct = false
    @Flag(name: .long, help: "Also hash targets with blake2b-256 (taken from the pages when listed).")
    var blake2b = false
    @Option(name: .long, help: ArgumentHelp("Expiry of a role, e.g. timestamp=12h; repeat.", valueName: "ROLE=DURATION"))
    var expires: [String] = []
    @Option(name: .long, help: ArgumentHelp("How long a superseded snapshot and what only it references stay on disk (tuf-repo prune).", valueName: "DURATION"))
    var retention = "1h"
    @Option(name: .customLong("sign-with"), help: ArgumentHelp("A private key (PEM file or pkcs11: URI) to sign with now; repeat.", valueName: "KEY"))
    var signWith: [String] = []
    @OptionGroup var keyOptions: PrivateKeyOptions
    @OptionGroup var bucketOptions: BucketOptions

    func expiryPolicy() throws -> [RepositoryRole: Int64] {
        var out: [RepositoryRole: Int64] = [:]
        for e in expires {
            let parts = e.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let role = RepositoryRole(rawValue: parts[0]) else {
                throw ValidationError("--expires \(e): expected ROLE=DURATION with ROLE one of \(RepositoryRole.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            out[role] = try parseDuration(parts[1], option: "--expires \(e)")
        }
        return out
    }

    func validate() throws {
        if rootKeys.isEmpty { throw ValidationError("give at least one --root-key") }
        if targetsKeys.isEmpty { throw ValidationError("give at least one --targets-key") }
        if binsKeys.isEmpty { throw ValidationError("give at least one --bins-key") }
        if rootThreshold < 1 || rootThreshold > rootKeys.count { throw ValidationError("--root-threshold must be from 1 to the number of root keys") }
        // A bin count or expiry the policy refuses is a usage error (exit 2), found before any work.
        do {
            _ = try RepositoryPolicy(binCount: bins, succinct: succinct, expiry: try expiryPolicy(),
                                     retention: try parseDuration(retention, option: "--retention"))
        } catch let error as RepositoryError {
            throw ValidationError(error.message)
        }
    }

    func run() throws {
        let policy = try RepositoryPolicy(binCount: bins, succinct: succinct, hashAlgorithms: blake2b ? [.sha256, .blake2b256] : [.sha256],
                                          expiry: try expiryPolicy(), retention: try parseDuration(retention, option: "--retention"))
        var options = InitOptions(
            rootKeys: try rootKeys.map(KeyFiles.loadPublic), rootThreshold: rootThreshold,
            targetsKeys: try targetsKeys.map(KeyFiles.loadPublic), targetsThreshold: targetsThreshold,
            binsKeys: try binsKeys.map(KeyFiles.loadPublic), binsThreshold: binsThreshold,
            binNKeys: [try KeyFiles.loadPublic(binNKey)], snapshotKeys: [try KeyFiles.loadPublic(snapshotKey)],
            timestampKeys: [try KeyFiles.loadPublic(timestampKey)], policy: policy)
        // Recorded in the policy: every later command publishes there too.
        options.policy.publish = try bucketOptions.publish.map { try BucketSettings(url: $0, endpoint: bucketOptions.s3Endpoint) }
        let bucket = try options.policy.publish?.open(environment: ProcessInfo.processInfo.environment)
        let (repo, outcome) = try Repository.initialize(at: repoOption.repo, options: options, signers: try keyOptions.load(signWith),
                                                        now: currentTime(), durability: repoOption.durability, bucket: bucket)
        repo.reportBucket()
        report(outcome)
    }
}

/// Prints what a staging command published, or what it waits for.
func report(_ outcome: StageOutcome) {
    if outcome.result.published {
        print("published \(outcome.result.written.count) metadata files (\(outcome.result.binsSigned) bins signed)")
    }
    if let w = outcome.waiting { print("not published yet: \(w)") }
}
