import ArgumentParser
import TUFCanonicalJSON
import TUFRepository

struct Renew: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stage a new version of an offline role (root, targets or bins) with a new expiry.",
        discussion: """
        The content stays the same; the version is the published one + 1 and the expiry is the \
        policy's (or --expires) from now. A version already staged keeps its content and gets the \
        new expiry (its signatures are dropped: they covered the old expiry). Sign it with \
        `tuf-repo sign`, or give --key to sign at once; it is published once its threshold is met.
        """)

    @OptionGroup var repoOption: RepoOption
    @Argument(help: "The offline role: root, targets or bins.")
    var role: String
    @Option(name: .long, help: ArgumentHelp("Valid for this long from now (365d, 12h…); default the policy's.", valueName: "DURATION"))
    var expires: String?
    @Option(name: .long, help: ArgumentHelp("Sign the renewed role at once with this private key (PEM).", valueName: "PEM"))
    var key: String?
    @OptionGroup var keyOptions: PrivateKeyOptions

    func validate() throws {
        guard ["root", "targets", "bins"].contains(role) else { throw ValidationError("ROLE must be root, targets or bins") }
        if let expires, try parseDuration(expires, option: "--expires") <= 0 { throw ValidationError("--expires must be positive") }
    }

    func run() throws {
        let seconds = try expires.map { try parseDuration($0, option: "--expires") }
        let signer = try key.map { try keyOptions.load([$0])[0] }
        let outcome = try repoOption.repository().renew(role: try RepositoryRole(parsing: role), expires: seconds, signer: signer, now: currentTime())
        print("staged renewed \(role)")
        if let outcome { print("signed staged \(role)"); report(outcome) } else {
            print("sign it with: tuf-repo sign --repo \(repoOption.repo) \(role) --key PEM")
        }
    }
}

struct CheckExpiry: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-expiry",
        abstract: "Exit 1 when an offline role (root, targets, bins) expires within a window.",
        discussion: """
        Looks at the published offline roles and at staged ones (marked "staged"). Exit status: \
        0 when none expires within --within, 1 when one does (each is named with its expiry), \
        2 on usage errors. Renew one with `tuf-repo renew`.
        """)

    @OptionGroup var repoOption: RepoOption
    @Option(name: .long, help: ArgumentHelp("The window, e.g. 30d.", valueName: "DURATION"))
    var within: String
    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func validate() throws { _ = try parseDuration(within, option: "--within") }

    func run() throws {
        let entries = try repoOption.repository().checkExpiry(within: try parseDuration(within, option: "--within"), now: currentTime())
        let due = entries.filter(\.due)
        if json {
            JSONOutput.print(.object(JSONObject([
                .init(key: "within", value: .string(within)),
                .init(key: "roles", value: .array(entries.map(\.json))),
                .init(key: "due", value: .array(due.map { .string($0.staged ? "\($0.role) (staged)" : $0.role) })),
            ])), style: .pretty)
        } else {
            for e in entries {
                let name = e.staged ? "\(e.role) (staged)" : e.role
                let left = e.secondsLeft < 0 ? "EXPIRED" : "\(Repository.daysLeft(e.secondsLeft)) days left"
                print("\(e.due ? "DUE" : "ok"): \(name) version \(e.version) expires \(e.expires) (\(left))")
            }
            if !due.isEmpty { print("renew with: tuf-repo renew --repo \(repoOption.repo) ROLE") }
        }
        if !due.isEmpty { throw ExitCode(1) }
    }
}
