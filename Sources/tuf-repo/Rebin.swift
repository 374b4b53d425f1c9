import ArgumentParser
import TUFRepository

struct Rebin: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Change the number of hashed bins (or named ↔ succinct) in one publication.",
        discussion: """
        Publishes a new bins version delegating to the new bin set, every target in its new bin, a \
        snapshot listing only the new bins, and a timestamp; clients follow it as any update. Needs the \
        bins keys (a threshold of them) and the online bin-n, snapshot and timestamp keys. The policy's \
        bin count changes when the publication succeeds.
        """)

    @OptionGroup var repoOption: RepoOption
    @Option(name: .long, help: "The new number of bins, a power of two from 2 to 65536.")
    var bins: Int
    @Flag(inversion: .prefixedNo, help: "TAP 15 succinct roles (default: as now).")
    var succinct: Bool?
    @Option(name: .long, help: ArgumentHelp("A private key (PEM): the bins keys and the online keys; repeat.", valueName: "PEM"))
    var key: [String] = []
    @OptionGroup var keyOptions: PrivateKeyOptions
    @OptionGroup var bucketOptions: BucketOptions

    func validate() throws {
        guard bins >= 2, bins <= 65_536, bins & (bins - 1) == 0 else { throw ValidationError("--bins must be a power of two from 2 to 65536") }
    }

    func run() throws {
        let repo = try bucketOptions.attach(to: repoOption.repository())
        defer { repo.reportBucket() }
        let r = try repo.rebin(count: bins, succinct: succinct, signers: try keyOptions.load(key), now: currentTime())
        print("published \(r.written.count) metadata files (\(r.binsSigned) bins signed); the repository has \(bins) bins")
    }
}
