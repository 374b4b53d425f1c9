import Foundation
import Testing
import TUFTestSupport

/// Malformed input to `tuf-verify` (a trusted root given to `init`, metadata served by a
/// mirror, a corrupted local trusted root, hostile target and project names) is a clear
/// error: exit 1 or 2, stderr naming the file or field, and the client's metadata and target
/// folders (and the repository) unchanged. A NUL cannot be passed in argv, so NUL names are
/// covered in files only.
@Suite(.enabled(if: Interop.enabled)) struct BadInputVerifyTests {
    /// `init` of a new client (client2/) from the file `text` written at `trusted.json`.
    static func initFrom(_ f: BadInputFolder, _ text: String) throws -> [String] {
        ["--metadata-dir", f.root + "/client2/metadata", "init", try f.write("trusted.json", text)]
    }

    static func root(_ f: BadInputFolder) throws -> String { try f.read("repo/metadata/1.root.json") }

    /// `init` from root v1 with `field` set to `value`.
    static func initEdited(_ f: BadInputFolder, _ field: String, _ value: String) throws -> [String] {
        let args = try initFrom(f, try root(f))
        try f.edit("trusted.json", field: field, to: value)
        return args
    }

    /// A refreshed client, then `refresh` against a mirror serving `replacement` as `urlPath`.
    static func refreshServing(_ f: BadInputFolder, _ urlPath: String, _ replacement: String) throws -> [String] {
        let file = try f.write("served/\((urlPath as NSString).lastPathComponent)", replacement)
        let honest = try f.trustingClient()
        let mirror = try f.serve(["--replace", urlPath, file])
        return honest.map { $0.replacingOccurrences(of: "127.0.0.1:\(f.port)", with: "127.0.0.1:\(mirror.port)") } + ["refresh"]
    }

    static func timestamp(_ f: BadInputFolder) throws -> String { try f.read("repo/metadata/timestamp.json") }

    /// The served timestamp with `field` set to `value`.
    static func refreshWithTimestamp(_ f: BadInputFolder, _ field: String, _ value: String) throws -> [String] {
        try f.write("edited.json", try timestamp(f))
        try f.edit("edited.json", field: field, to: value)
        return try refreshServing(f, "/metadata/timestamp.json", try f.read("edited.json"))
    }

    static let cases: [BadInput] = [
        BadInput("init: truncated trusted root", .tufVerify, mentions: ["trusted.json"]) { f in try initFrom(f, BadJSON.truncated(try root(f))) },
        BadInput("init: trusted root over the depth limit", .tufVerify, mentions: ["trusted.json"]) { f in try initFrom(f, BadJSON.deep) },
        BadInput("init: version as a string", .tufVerify, mentions: ["trusted.json", "version"]) { f in try initEdited(f, "version", "\"1\"") },
        BadInput("init: version -1", .tufVerify, mentions: ["trusted.json", "version"]) { f in try initEdited(f, "version", "-1") },
        BadInput("init: version 2^63", .tufVerify, mentions: ["trusted.json"]) { f in try initEdited(f, "version", BadJSON.overflow) },
        BadInput("init: version 1e3", .tufVerify, mentions: ["trusted.json"]) { f in try initEdited(f, "version", "1e3") },
        BadInput("init: duplicate member", .tufVerify, mentions: ["trusted.json"]) { f in
            try initFrom(f, BadJSON.duplicated(try root(f), field: "expires"))
        },
        BadInput("init: key of an unknown type", .tufVerify, mentions: ["trusted.json"]) { f in try initEdited(f, "keytype", "\"dsa\"") },
        BadInput("init: garbage file", .tufVerify, mentions: ["trusted.json"]) { f in
            ["--metadata-dir", f.root + "/client2/metadata", "init", try f.write("trusted.json", bytes: BadJSON.garbage)]
        },
        BadInput("init: missing file", .tufVerify, mentions: ["missing.json"]) { f in ["--metadata-dir", f.root + "/client2/metadata", "init", f.root + "/missing.json"] },
        BadInput("init: a folder as the trusted root (unreadable)", .tufVerify, mentions: ["folder.json"]) { f in
            try FileManager.default.createDirectory(atPath: f.root + "/folder.json", withIntermediateDirectories: true)
            return ["--metadata-dir", f.root + "/client2/metadata", "init", f.root + "/folder.json"]
        },
        BadInput("init: the trusted root is a FIFO", .tufVerify, mentions: ["trusted.json"]) { f in
            ["--metadata-dir", f.root + "/client2/metadata", "init", try f.fifo("trusted.json")]
        },
        BadInput("refresh: truncated timestamp served", .tufVerify, mentions: ["timestamp"]) { f in
            try refreshServing(f, "/metadata/timestamp.json", BadJSON.truncated(try timestamp(f)))
        },
        BadInput("refresh: timestamp over the size limit served", .tufVerify, mentions: ["timestamp"]) { f in
            try refreshServing(f, "/metadata/timestamp.json", "{\"signed\": \"" + String(repeating: "x", count: 4 << 20) + "\"}")
        },
        BadInput("refresh: timestamp over the depth limit served", .tufVerify, mentions: ["timestamp"]) { f in
            try refreshServing(f, "/metadata/timestamp.json", String(repeating: "[", count: 8000) + String(repeating: "]", count: 8000))
        },
        BadInput("refresh: timestamp version as a string", .tufVerify, mentions: ["timestamp", "version"]) { f in
            try refreshWithTimestamp(f, "version", "\"2\"")
        },
        BadInput("refresh: timestamp version -1", .tufVerify, mentions: ["timestamp", "version"]) { f in try refreshWithTimestamp(f, "version", "-1") },
        BadInput("refresh: timestamp version 2^63", .tufVerify, mentions: ["timestamp"]) { f in try refreshWithTimestamp(f, "version", BadJSON.overflow) },
        BadInput("refresh: timestamp version 1e3", .tufVerify, mentions: ["timestamp"]) { f in try refreshWithTimestamp(f, "version", "1e3") },
        BadInput("refresh: timestamp with a duplicate member", .tufVerify, mentions: ["timestamp"]) { f in
            try refreshServing(f, "/metadata/timestamp.json", BadJSON.duplicated(try timestamp(f), field: "expires"))
        },
        BadInput("refresh: garbage next root served", .tufVerify, mentions: ["2.root.json"]) { f in
            let file = try f.write("served/2.root.json", bytes: BadJSON.garbage)
            let honest = try f.trustingClient()
            let mirror = try f.serve(["--replace", "/metadata/2.root.json", file])
            return honest.map { $0.replacingOccurrences(of: "127.0.0.1:\(f.port)", with: "127.0.0.1:\(mirror.port)") } + ["refresh"]
        },
        BadInput("refresh: truncated local trusted root", .tufVerify, mentions: ["root.json"]) { f in
            let options = try f.trustingClient()
            try f.write("client/metadata/root.json", BadJSON.truncated(try f.read("client/metadata/root.json")))
            return options + ["refresh"]
        },
        BadInput("download: target name with ..", .tufVerify, mentions: ["../../etc/passwd"], cachesDelegations: true) { f in
            try f.trustingClient() + ["download", "--target-name", "../../etc/passwd"]
        },
        BadInput("download: absolute target name", .tufVerify, mentions: ["/etc/passwd"], cachesDelegations: true) { f in
            try f.trustingClient() + ["download", "--target-name", "/etc/passwd"]
        },
        BadInput("download: target name with a combining character after /", .tufVerify, mentions: ["simple/"], cachesDelegations: true) { f in
            try f.trustingClient() + ["download", "--target-name", "simple/\u{301}../index.json"]
        },
        BadInput("download: the target folder holds a FIFO at the target path", .tufVerify, mentions: ["simple/zeta/index.json"], cachesDelegations: true) { f in
            let options = try f.trustingClient()
            try FileManager.default.createDirectory(atPath: f.clientTargets + "/simple/zeta", withIntermediateDirectories: true)
            try f.fifo("client/targets/simple/zeta/index.json")
            return options + ["download", "--target-name", "simple/zeta/index.json"]
        },
        BadInput("project: name with ..", .tufVerify, mentions: ["../../etc"], cachesDelegations: true) { f in try f.trustingClient() + ["project", "../../etc"] },
        BadInput("project: absolute name", .tufVerify, mentions: ["/etc"], cachesDelegations: true) { f in try f.trustingClient() + ["project", "/etc"] },
        BadInput("project: name with a combining character after /", .tufVerify, mentions: ["zeta"], cachesDelegations: true) { f in
            try f.trustingClient() + ["project", "zeta/\u{301}x"]
        },
        BadInput("project: empty name", .tufVerify, mentions: ["name"], cachesDelegations: true) { f in try f.trustingClient() + ["project", ""] },
    ]

    @Test(arguments: cases) func testTufVerifyRefusesBadInputCleanly(_ bad: BadInput) throws { try expectCleanRefusal(bad) }
}
