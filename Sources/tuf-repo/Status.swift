import ArgumentParser
import TUFCanonicalJSON
import TUFRepository

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show each role's version, expiry, keys and signatures, what is staged and what expires soon.")

    @OptionGroup var repoOption: RepoOption
    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func run() throws {
        let s = try repoOption.repository().status(now: currentTime())
        if json { JSONOutput.print(s.json, style: .pretty) } else { print(s.text, terminator: "") }
    }
}
