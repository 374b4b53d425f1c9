import Foundation

/// The command-line tools built with the tests (`tuf-repo`, `tuf-verify`), found beside the
/// test bundle in the same build folder, so CLI tests run the binaries of this build.
/// `TUF_REPO_BIN` / `TUF_VERIFY_BIN` override the lookup. Under `Scripts/test`
/// (`TUF_INTEROP_REQUIRED=1`) a binary that is not found fails its tests instead of skipping
/// them. TEST ONLY.
public enum BuiltBinaries {
    /// True when a missing binary must fail the tests that run it (`TUF_INTEROP_REQUIRED=1`).
    public static var required: Bool { ProcessInfo.processInfo.environment["TUF_INTEROP_REQUIRED"] == "1" }

    /// Whether the tests of binary `path` run: it was found, or it is required (they then fail).
    public static func testsRun(_ path: String?) -> Bool { path != nil || required }

    /// `path`, or a thrown error saying that `name` is not built beside the tests.
    public static func require(_ path: String?, _ name: String) throws -> String {
        guard let path else { throw NotBuilt(description: "\(name) is not built beside the tests (swift build --build-tests)") }
        return path
    }

    /// A binary the tests need was not found.
    public struct NotBuilt: Error, CustomStringConvertible {
        public let description: String
    }

    /// The built `tuf-repo`, or nil when it is not in the build folder.
    public static var tufRepo: String? { find("tuf-repo", override: "TUF_REPO_BIN") }

    /// The built `tuf-verify`, or nil when it is not in the build folder.
    public static var tufVerify: String? { find("tuf-verify", override: "TUF_VERIFY_BIN") }

    /// The executable `name` in the build folder: the folders holding the test runner and
    /// the test bundle, and a few of their parents (SwiftPM and Xcode place them differently).
    public static func find(_ name: String, override variable: String? = nil) -> String? {
        if let variable, let path = ProcessInfo.processInfo.environment[variable], !path.isEmpty { return path }
        let starts = [Bundle.main.executableURL, Bundle.main.bundleURL, URL(fileURLWithPath: CommandLine.arguments[0])]
        for start in starts.compactMap({ $0 }) {
            var dir = start.deletingLastPathComponent()
            for _ in 0..<4 {
                let candidate = dir.appendingPathComponent(name).path
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
                dir = dir.deletingLastPathComponent()
            }
        }
        return nil
    }
}
