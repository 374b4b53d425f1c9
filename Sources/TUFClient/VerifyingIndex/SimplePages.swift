import TUFCanonicalJSON
import TUFMetadata

/// The simple repository pages the verifying index serves (PEP 503 HTML, PEP 691 JSON),
/// built only from verified data: a verified page, and the signed target entry of each
/// file for its hash, size and yank state. File URLs point back at this server.
public enum SimplePages {
    /// A file link as the installer sees it.
    public struct FileLink: Sendable, Equatable {
        public let filename: String
        /// The file's URL on this server (`/files/<target path>`).
        public let url: String
        public let sha256: String?
        public let size: Int64
        public let requiresPython: String?
        public let yank: YankState
    }

    /// Where a target is served: `/files/` plus the percent-encoded target path. A prefix
    /// of its own, so no target path can shadow the `/simple/` pages.
    public static func fileURL(for targetPath: String) -> String { "/files/" + PercentEncoding.encodePath(targetPath) }

    /// The file links of a verified project: each file's signed hash, size and yank state,
    /// and what its own page entry says of the Python it requires.
    static func links(_ project: VerifiedProject) -> [FileLink] {
        project.entries.map { entry in
            FileLink(filename: entry.file.filename, url: fileURL(for: entry.file.targetPath), sha256: entry.signed.hashes["sha256"],
                     size: entry.signed.length, requiresPython: entry.requiresPython, yank: entry.file.yank)
        }
    }

    /// A project page as PEP 691 JSON (API 1.1 when the verified page listed versions).
    public static func projectJSON(name: String, versions: [String]?, links: [FileLink]) -> [UInt8] {
        let files: [JSON] = links.map { link in
            var members: [JSONObject.Member] = [.init(key: "filename", value: .string(link.filename)),
                                                .init(key: "url", value: .string(link.url))]
            members.append(.init(key: "hashes", value: .object(JSONObject(link.sha256.map { [.init(key: "sha256", value: .string($0))] } ?? []))))
            if let requires = link.requiresPython { members.append(.init(key: "requires-python", value: .string(requires))) }
            members.append(.init(key: "size", value: .int(link.size)))
            members.append(.init(key: "yanked", value: yankJSON(link.yank)))
            return .object(JSONObject(members))
        }
        var members: [JSONObject.Member] = [.init(key: "meta", value: ["api-version": .string(versions == nil ? "1.0" : "1.1")]),
                                            .init(key: "name", value: .string(name)),
                                            .init(key: "files", value: .array(files))]
        if let versions { members.append(.init(key: "versions", value: .array(versions.map { .string($0) }))) }
        return Array(JSONOutput.text(.object(JSONObject(members)), style: .compact).utf8)
    }

    /// A project page as PEP 503 HTML, with PEP 592 `data-yanked` and PEP 503 `#sha256=`.
    public static func projectHTML(name: String, links: [FileLink]) -> [UInt8] {
        var html = header(title: "Links for \(name)")
        for link in links {
            var anchor = "<a href=\"\(escape(link.url + (link.sha256.map { "#sha256=\($0)" } ?? "")))\""
            if let requires = link.requiresPython { anchor += " data-requires-python=\"\(escape(requires))\"" }
            if case .yanked(let reason) = link.yank { anchor += " data-yanked=\"\(escape(reason ?? ""))\"" }
            html += "    \(anchor)>\(escape(link.filename))</a><br/>\n"
        }
        return Array((html + "  </body>\n</html>\n").utf8)
    }

    /// The project list (`/simple/`) as PEP 691 JSON.
    public static func indexJSON(projects: [String]) -> [UInt8] {
        let list: [JSON] = projects.map { ["name": .string($0)] }
        let value: JSON = .object(JSONObject([.init(key: "meta", value: ["api-version": "1.0"]),
                                              .init(key: "projects", value: .array(list))]))
        return Array(JSONOutput.text(value, style: .compact).utf8)
    }

    /// The project list as PEP 503 HTML.
    public static func indexHTML(projects: [String]) -> [UInt8] {
        var html = header(title: "Simple index")
        for name in projects {
            html += "    <a href=\"\(escape("/simple/" + PercentEncoding.encodeComponent(YankVerifier.normalize(name)) + "/"))\">\(escape(name))</a><br/>\n"
        }
        return Array((html + "  </body>\n</html>\n").utf8)
    }

    static func yankJSON(_ yank: YankState) -> JSON {
        switch yank {
        case .notYanked: false
        case .yanked(let reason?): .string(reason)
        case .yanked(nil): true
        }
    }

    private static func header(title: String) -> String {
        """
        <!DOCTYPE html>
        <html>
          <head>
            <meta name="pypi:repository-version" content="1.0">
            <title>\(escape(title))</title>
          </head>
          <body>
            <h1>\(escape(title))</h1>

        """
    }

    /// Text made safe for HTML content and double-quoted attributes.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
