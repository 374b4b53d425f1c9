import ArgumentParser
import Foundation
import TUFCrypto
import TUFMetadata
import TUFRepository

/// `--repo DIR` and how the run writes it (`WriteOptions`): the options of every subcommand
/// that works on a repository.
struct RepoOption: ParsableArguments {
    @Option(name: .long, help: .repository)
    var repo: String

    @OptionGroup var writes: WriteOptions

    var durability: RepositoryStore.Durability { writes.durability }

    func repository(progress: Bool = false) -> Repository { writes.repository(at: repo, progress: progress) }
}

/// `--durability MODE` and `--lock-wait SECONDS`, apart from `--repo` for `sign`, whose
/// `--repo` is optional (`--file` signs a copy instead).
struct WriteOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("How writes are made durable: batch (one syncfs per batch), per-file (fsync each file) or none.", valueName: "MODE"))
    var durability: RepositoryStore.Durability = .batch

    @Option(name: .long, help: ArgumentHelp("Seconds to wait for another run's lock before failing.", valueName: "SECONDS"))
    var lockWait: Double = 5

    /// The repository at `path`, written and locked as these options say.
    func repository(at path: String, progress: Bool = false) -> Repository {
        var r = Repository(path: path, durability: durability, lockWait: lockWait)
        r.clock = commandClock
        if progress { r.progress = ProgressReporter() }
        return r
    }
}

extension ArgumentHelp {
    /// The help of `--repo`, one text wherever the option is declared.
    static var repository: ArgumentHelp { ArgumentHelp("The repository directory.", valueName: "DIR") }
}

/// The options of the commands that publish from an index snapshot (`generate`, `publish`):
/// the index, the online keys and how distribution files reach `REPO/targets`.
struct IndexPublishingOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The index snapshot directory.", valueName: "INDEX"))
    var index: String
    @Option(name: .long, help: ArgumentHelp("An online private key (PEM file or pkcs11: URI); repeat.", valueName: "KEY"))
    var key: [String] = []
    @OptionGroup var keyOptions: PrivateKeyOptions
    @Flag(name: .long, help: "Hard-link INDEX/packages files into REPO/targets under hash-prefixed names.")
    var linkFiles = false

    /// The signers of `--key`.
    func signers() throws -> [any Signer] { try keyOptions.load(key) }
}

extension RepositoryStore.Durability: ExpressibleByArgument {}

/// `--passphrase-env VAR`: the passphrase of encrypted keys comes from this variable.
/// There is deliberately no option that takes the passphrase itself: argv is visible to every
/// user of the machine (ps, /proc) and lands in shell history.
struct PassphraseOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Read the key passphrase from environment variable VAR (never from the command line).", valueName: "VAR"))
    var passphraseEnv: String?

    func passphrase() throws -> [UInt8]? {
        guard let passphraseEnv else { return nil }
        return try Passphrase.fromEnvironment(passphraseEnv)
    }
}

/// `--pkcs11-module PATH` and `--pin-env VAR`: where keys named by `pkcs11:` URIs are.
/// There is no option that takes the PIN, for the same reason as the passphrase.
struct PKCS11Options: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The PKCS#11 module for pkcs11: keys (default: the URI's module-path, then $TUF_PKCS11_MODULE).", valueName: "PATH"))
    var pkcs11Module: String?

    @Option(name: .long, help: ArgumentHelp("Read the token PIN from environment variable VAR (default TUF_PKCS11_PIN, else a prompt on the terminal).", valueName: "VAR"))
    var pinEnv: String?

    var settings: PKCS11Settings { PKCS11Settings(modulePath: pkcs11Module, pinEnvironment: pinEnv) }
}

/// The options of commands that read private keys: the passphrase, the override for key files
/// that other users can read, and the PKCS#11 module and PIN for keys on tokens.
struct PrivateKeyOptions: ParsableArguments {
    @OptionGroup var passphrase: PassphraseOption
    @OptionGroup var pkcs11: PKCS11Options

    @Flag(name: .long, help: "Use private key files that other users can read or write (refused otherwise; chmod 600 them instead).")
    var allowExposedKey = false

    /// Loads private keys: a PEM file (an encrypted key without --passphrase-env is asked for on
    /// the terminal) or a `pkcs11:` URI (the key stays on the token).
    func load(_ paths: [String]) throws -> [any Signer] {
        try refusePINValues(paths)
        var p = try passphrase.passphrase()
        defer { if p != nil { secureZero(&p!) } }
        return try paths.map { path -> any Signer in
            if PKCS11URI.isURI(path) { return try HardwareKeys.signer(path, settings: pkcs11.settings) }
            // Refused like ssh does unless overridden: keys copied by tools that drop modes
            // (git, some backups) then need a chmod or the explicit flag.
            if allowExposedKey, KeyFiles.isExposed(path) == true {
                note("tuf-repo: warning: \(path) can be read by other users (--allow-exposed-key); chmod 600 it")
            }
            return try KeyFiles.loadPrivate(path, passphrase: p, allowExposed: allowExposedKey)
        }
    }
}

/// Refuses a `pkcs11:` key that carries pin-value, as a usage error (exit 2), before anything
/// else looks at the URI: its other errors would otherwise be the first to quote it.
func refusePINValues(_ keys: [String]) throws {
    for k in keys where PKCS11URI.isURI(k) {
        do { try PKCS11URI.refusePINValue(k) } catch { throw ValidationError(error.message) }
    }
}

/// The one clock of every command: the system's (tests fake time with libfaketime, outside
/// the program). `repository()` hands it to the library; `currentTime()` reads it for the
/// `now:` of the command's call.
let commandClock = WallClock.system

/// The current time, in whole seconds, from `commandClock`.
func currentTime() -> Expiry { commandClock.now() }

/// Parses a duration option, as a usage error when malformed.
func parseDuration(_ text: String, option: String) throws -> Int64 {
    do { return try DurationText.seconds(text) } catch { throw ValidationError("\(option): \(error.message)") }
}


/// Writes a line to stderr.
func note(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }
