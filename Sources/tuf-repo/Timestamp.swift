import ArgumentParser
import TUFRepository

struct TimestampCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timestamp",
        abstract: "Refresh the timestamp (what cron runs).",
        discussion: "With --if-expiring-within, exits 0 doing nothing while the timestamp is valid for longer than that.")

    @OptionGroup var repoOption: RepoOption
    @Option(name: .long, help: ArgumentHelp("The timestamp private key (PEM file or pkcs11: URI).", valueName: "KEY"))
    var key: String
    @OptionGroup var keyOptions: PrivateKeyOptions
    @OptionGroup var bucketOptions: BucketOptions
    @Option(name: .long, help: ArgumentHelp("Only refresh when the timestamp expires within this duration.", valueName: "DURATION"))
    var ifExpiringWithin: String?

    func validate() throws {
        if let ifExpiringWithin { _ = try parseDuration(ifExpiringWithin, option: "--if-expiring-within") }
    }

    func run() throws {
        let window = try ifExpiringWithin.map { try parseDuration($0, option: "--if-expiring-within") }
        let repo = try bucketOptions.attach(to: repoOption.repository())
        defer { repo.reportBucket() }
        let r = try repo.refreshTimestamp(signer: try keyOptions.load([key])[0], ifExpiringWithin: window, now: currentTime())
        reportPrune(r)
        print(r.published ? "timestamp refreshed" : "timestamp is fresh; nothing to do")
    }
}
