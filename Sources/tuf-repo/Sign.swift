import ArgumentParser
import TUFRepository

struct Sign: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add one signature to staged root, targets or bins metadata.",
        discussion: """
        With --repo, signs REPO/staged/ROLE.json and publishes whatever is then complete (a new root \
        needs a threshold of both the old and the new root keys). With --file, signs a copied staged \
        file in place, e.g. on an offline machine; copy it back to REPO/staged/ afterwards.
        """)

    @Option(name: .long, help: ArgumentHelp("The repository directory.", valueName: "DIR"))
    var repo: String?
    @Option(name: .long, help: ArgumentHelp("A copied staged metadata file to sign in place.", valueName: "FILE"))
    var file: String?
    @Argument(help: "The staged role: root, targets or bins (with --repo).")
    var role: String?
    @Option(name: .long, help: ArgumentHelp("The private key: a PEM file or a pkcs11: URI (RFC 7512).", valueName: "KEY"))
    var key: String
    @OptionGroup var keyOptions: PrivateKeyOptions
    @Option(name: .long, help: ArgumentHelp("Seconds to wait for another run's lock.", valueName: "SECONDS"))
    var lockWait: Double = 5

    func validate() throws {
        guard (repo == nil) != (file == nil) else { throw ValidationError("give either --repo DIR ROLE or --file FILE") }
        if repo != nil, role == nil { throw ValidationError("name the staged ROLE to sign (root, targets or bins)") }
        if let role, !["root", "targets", "bins"].contains(role) { throw ValidationError("ROLE must be root, targets or bins") }
    }

    func run() throws {
        let signer = try keyOptions.load([key])[0]
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
