import ArgumentParser
import TUFMetadata
import TUFRepository

struct Rotate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stage new keys for a role in the metadata of its delegator.",
        discussion: """
        root, targets, snapshot, timestamp: stages root version N+1, which needs a threshold of \
        signatures from both the old and the new root keys. bins: stages a new targets. bin-n: stages a \
        new bins. Sign the staged role with `tuf-repo sign`; publication then re-signs the online roles \
        the new keys require (run generate with the new online keys when asked).
        """)

    @OptionGroup var repoOption: RepoOption
    @Argument(help: "The role whose keys change: root, targets, bins, bin-n, snapshot or timestamp.")
    var role: String
    @Option(name: .customLong("add-key"), help: ArgumentHelp("A public key to add; repeat.", valueName: "PUB"))
    var addKeys: [String] = []
    @Option(name: .customLong("remove-key"), help: ArgumentHelp("A public key file or keyid to remove; repeat.", valueName: "PUB|KEYID"))
    var removeKeys: [String] = []
    @Option(name: .long, help: "The new threshold.")
    var threshold: Int?

    func validate() throws {
        guard RepositoryRole(rawValue: role) != nil else { throw ValidationError("unknown role \(role)") }
        if addKeys.isEmpty, removeKeys.isEmpty, threshold == nil { throw ValidationError("nothing to change: give --add-key, --remove-key or --threshold") }
    }

    func run() throws {
        let remove = try removeKeys.map { r in r.hasSuffix(".json") ? try KeyFiles.loadPublic(r).keyID : r }
        let staged = try repoOption.repository().rotate(role: try RepositoryRole(parsing: role), add: try addKeys.map(KeyFiles.loadPublic),
                                                        remove: remove, threshold: threshold, now: currentTime())
        print("staged \(staged.rawValue); sign it with: tuf-repo sign --repo \(repoOption.repo) \(staged.rawValue) --key PEM")
    }
}
