/// Lets global options come before the subcommand, as in git: they are moved after it,
/// where each subcommand's `@OptionGroup` parses them.
enum ArgumentOrder {
    static let subcommands: Set<String> = ["init", "refresh", "download", "project", "help"]
    static let valueOptions: Set<String> = ["--metadata-dir", "--metadata-url", "--target-base-url", "--target-dir", "--target-name"]
    static let flags: Set<String> = ["--no-target-hash-prefix", "--json"]

    static func globalOptionsAfterSubcommand(_ args: [String]) -> [String] {
        var leading: [String] = []
        var i = 0
        while i < args.count {
            let a = args[i]
            if subcommands.contains(a) {
                return [a] + leading + args[(i + 1)...]
            } else if valueOptions.contains(a), i + 1 < args.count {
                leading += [a, args[i + 1]]; i += 2
            } else if flags.contains(a) || valueOptions.contains(where: { a.hasPrefix($0 + "=") }) {
                leading.append(a); i += 1
            } else {
                break
            }
        }
        return args
    }
}
