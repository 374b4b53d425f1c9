/// What a request path asks the verifying index for. Parsed from the raw path; nothing in
/// it is used as a file path before the signed metadata has vouched for it.
enum IndexRoute: Equatable {
    /// `/simple/`: the project list.
    case projectList
    /// `/simple/<name>/`: a project page (the name as sent, percent-decoded).
    case project(String)
    /// `/files/<target path>`: a distribution file (the target path, percent-decoded).
    case file(String)
    /// `/`: a line saying what this server is.
    case home
    case unknown

    init(path: String) {
        guard let decoded = PercentEncoding.decode(path), decoded.hasPrefix("/") else { self = .unknown; return }
        let rest = decoded.dropFirst()
        if rest.isEmpty { self = .home; return }
        if rest == "simple" || rest == "simple/" { self = .projectList; return }
        if rest.hasPrefix("simple/") {
            var name = rest.dropFirst("simple/".count)
            if name.hasSuffix("/") { name = name.dropLast() }
            self = name.isEmpty || name.contains("/") || name.contains("\\") ? .unknown : .project(String(name))
            return
        }
        if rest.hasPrefix("files/"), rest.count > "files/".count {
            self = .file(String(rest.dropFirst("files/".count)))
            return
        }
        self = .unknown
    }
}
