import ArgumentParser
import Foundation
import TUFCrypto
import TUFMetadata
import TUFRepository

/// `--repo DIR`.
struct RepoOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The repository directory.", valueName: "DIR"))
    var repo: String

    @Option(name: .long, help: ArgumentHelp("How writes are made durable: batch (one syncfs per batch), per-file (fsync each file) or none.", valueName: "MODE"))
    var durability: RepositoryStore.Durability = .batch

    @Option(name: .long, help: ArgumentHelp("Seconds to wait for another run's lock before failing.", valueName: "SECONDS"))
    var lockWait: Double = 5

    func repository(progress: Bool = false) -> Repository {
        var r = Repository(path: repo, durability: durability, lockWait: lockWait)
        if progress { r.progress = ProgressReporter() }
        return r
    }
}

extension RepositoryStore.Durability: ExpressibleByArgument {}

/// `--passphrase-env VAR`: the passphrase of encrypted keys comes from this variable.
struct PassphraseOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Read the key passphrase from environment variable VAR (never from the command line).", valueName: "VAR"))
    var passphraseEnv: String?

    func passphrase() throws -> [UInt8]? {
        guard let passphraseEnv else { return nil }
        return try Passphrase.fromEnvironment(passphraseEnv)
    }

    /// Loads private keys; an encrypted key without --passphrase-env is asked for on the terminal.
    func load(_ paths: [String]) throws -> [any Signer] {
        let p = try passphrase()
        return try paths.map { path in
            // Like ssh, but a warning rather than a refusal: keys copied by tools that drop
            // modes (git, some backups) should not stop a cron run.
            if KeyFiles.isExposed(path) == true {
                FileHandle.standardError.write(Data("tuf-repo: warning: \(path) can be read by other users; chmod 600 it\n".utf8))
            }
            return try KeyFiles.loadPrivate(path, passphrase: p)
        }
    }
}

/// The current time, in whole seconds.
func currentTime() -> Expiry { Expiry(secondsSinceEpoch: Int64(Date().timeIntervalSince1970)) }

/// Parses a duration option, as a usage error when malformed.
func parseDuration(_ text: String, option: String) throws -> Int64 {
    do { return try DurationText.seconds(text) } catch { throw ValidationError("\(option): \(error.message)") }
}


/// Writes a line to stderr.
func note(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }
