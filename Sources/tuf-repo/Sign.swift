import ArgumentParser
import Foundation
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

        Before signing, sign prints a review of what is to be signed against what is published: \
        version and expiry, keys added and removed (keyid prefix and type), keys whose material changed \
        under the same keyid (old and new type and fingerprint), threshold changes, \
        delegations and targets added or removed, and the SHA-256 of the exact bytes the signature \
        covers, which every key holder of a ceremony compares aloud. A keyid of the repository's own \
        keys that is not its key's keyid is refused. The file is read once: the signature covers \
        the bytes reviewed, and a file changed since its review is not signed. It then asks on the terminal; \
        --yes signs without asking, and without a terminal sign refuses unless --yes is given.
        """)

    @Option(name: .long, help: .repository)
    var repo: String?
    @OptionGroup var writes: WriteOptions
    @Option(name: .long, help: ArgumentHelp("A copied staged metadata file to sign in place.", valueName: "FILE"))
    var file: String?
    @Argument(help: "The staged role: root, targets or bins (with --repo).")
    var role: String?
    @Option(name: .long, help: ArgumentHelp("The private key: a PEM file or a pkcs11: URI (RFC 7512).", valueName: "KEY"))
    var key: String?
    @Option(name: .long, parsing: .upToNextOption, help: ArgumentHelp("Signed copies to merge into the staged ROLE (with --repo), instead of signing.", valueName: "COPY"))
    var merge: [String] = []
    @OptionGroup var keyOptions: PrivateKeyOptions
    @OptionGroup var bucketOptions: BucketOptions
    @Flag(name: .long, help: "Sign without asking after the review (for scripts; without a terminal, sign refuses unless given).")
    var yes = false

    func validate() throws {
        try refusePINValues(key.map { [$0] } ?? [])
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
            let m = try bucketOptions.attach(to: writes.repository(at: repo!)).merge(role: try RepositoryRole(parsing: role!), copies: merge, now: currentTime())
            print("merged \(m.added.count) new signature(s) into staged \(role!)" + (m.added.isEmpty ? "" : ": " + m.added.joined(separator: " "))
                  + (m.alreadyPresent.isEmpty ? "" : "; already present: " + m.alreadyPresent.joined(separator: " ")))
            report(m.outcome)
            return
        }
        // Read once: the review holds the bytes it was made from, and those are what is signed.
        let pending = try file.map { f throws(RepositoryError) in try Repository.review(file: f) }
            ?? writes.repository(at: repo!).review(role: try RepositoryRole(parsing: role!))
        print(pending.review.text)
        try pending.review.requireSignable()
        try confirm()
        let signer = try keyOptions.load([key!])[0]
        if let file {
            let type = try Repository.signFile(pending, signer: signer, durability: writes.durability)
            print("signed \(type) metadata \(file)")
            return
        }
        let outcome = try bucketOptions.attach(to: writes.repository(at: repo!)).sign(pending, signer: signer, now: currentTime())
        print("signed staged \(role!)")
        report(outcome)
    }

    /// Asks on the terminal unless --yes; refuses without a terminal (a script must say --yes).
    private func confirm() throws {
        if yes { return }
        guard isatty(0) == 1 else {
            throw RepositoryError(.invalidArgument, "not signing: no terminal to confirm the review on; check the SHA-256 above and pass --yes")
        }
        FileHandle.standardError.write(Data("sign? [y/N] ".utf8))
        let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        guard answer == "y" || answer == "yes" else { throw RepositoryError(.invalidArgument, "not signed: the review was not confirmed") }
    }
}
