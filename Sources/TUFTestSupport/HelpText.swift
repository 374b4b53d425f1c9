/// Reading ArgumentParser's help screens in CLI tests. TEST ONLY.
public enum HelpText {
    /// The subcommand names a root `--help` lists under `SUBCOMMANDS:` (each at two spaces'
    /// indent; wrapped abstracts are indented further), so a test covers every subcommand,
    /// also one added later.
    public static func subcommands(_ rootHelp: String) -> [String] {
        var names: [String] = []
        var inList = false
        for line in rootHelp.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("SUBCOMMANDS:") { inList = true; continue }
            guard inList else { continue }
            if line.isEmpty { break }
            guard line.hasPrefix("  "), !line.hasPrefix("   "), let name = line.split(separator: " ").first else { continue }
            names.append(String(name))
        }
        return names
    }
}
