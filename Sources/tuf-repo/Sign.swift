import ArgumentParser
import TUFRepository

struct Sign: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Sign staged root, targets or bins metadata, or merge copies signed elsewhere.",
        discussion: """
        With --repo, signs REPO/staged/ROLE.json and publishes whatever is then complete (a new root \
        needs a threshold of both the old and the new root keys). With --file, signs a copied staged \
        file in place, e.g. on an offline machine. Any number of key holders can sign their own \
        copies at once; `sign --repo R ROLE --merge COPY...` then gathers their signatures into the \
        staged role and publishes when the thresholds are met. A merge is all or nothing: a copy \
        whose signed part differs from the staged one by a byte (another role, version or \
        repository; a truncated or re-encoded file), or that carries a signature from a key the \
        role does not list or that does not verify, refuses the whole merge, naming the copy; \
        nothing is staged then. A key seen twice counts once.
        """)

    @Option(name: .long, help: ArgumentHelp("The repository directory.", valueName: "DIR"))
    var repo: String?
    @Option(name: .long, help: ArgumentHelp("A copied staged metadata file to sign in place.", valueName: "FILE"))
    var file: String?
    @Argument(help: "The staged role: root, targets or bins (with --repo).")
    var role: String?
    @Option(name: .long, help: ArgumentHelp("The private key: a PEM file or a pkcs11: URI (RFC 7512).", valueName: "KEY"))
    var key: String?
    @Option(name: .long, parsing: .upToNextOption, help: ArgumentHelp("Signed copies to merge into the staged ROLE (with --repo), instead of signing.", valueName: "COPY"))
    var merge: [String] = []
    @OptionGroup var keyOptions: PrivateKeyOptions
    @Option(name: .long, help: ArgumentHelp("Seconds to wait for another run's lock.", valueName: "SECONDS"))
    var lockWait: Double = 5

    func validate() throws {
        guard (repo == nil) != (file == nil) else { throw ValidationError("give either --repo DIR ROLE or --file FILE") }
        if repo != nil, role == nil { throw ValidationError("name the staged ROLE to sign (root, targets or bins)") }
        if let role, !["root", "targets", "bins"].contains(role) { throw ValidationError("ROLE must be root, targets or bins") }
        if !merge.isEmpty {
            if repo == nil { throw ValidationError("--merge needs --repo DIR ROLE") }
            if key != nil { throw ValidationError("--merge gathers signatures made elsewhere: give --key in a separate sign") }
        } else if key == nil {
            throw ValidationError("give --key KEY to sign, or --merge COPY... to gather signatures")
        }
    }

    func run() throws {
        if !merge.isEmpty {
            var r = Repository(path: repo!)
            r.lockWait = lockWait
            let m = try r.merge(role: try RepositoryRole(parsing: role!), copies: merge, now: currentTime())
            print("merged \(m.added.count) new signature(s) into staged \(role!)" + (m.added.isEmpty ? "" : ": " + m.added.joined(separator: " "))
                  + (m.alreadyPresent.isEmpty ? "" : "; already present: " + m.alreadyPresent.joined(separator: " ")))
            report(m.outcome)
            return
        }
        let signer = try keyOptions.load([key!])[0]
        if let file {
            let type = try Repository.signFile(file, signer: signer)
            print("signed \(type) metadata \(file)")
            return
        }
        var r = Repository(path: repo!)
        r.lockWait = lockWait
        let outcome = try r.sign(role: try RepositoryRole(parsing: role!), signer: signer, now: currentTime())
        print("signed staged \(role!)")
        report(outcome)
    }
}
