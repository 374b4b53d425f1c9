import Foundation
import Testing

/// The Python interpreter of the interop venv (python-tuf, cryptography), found through
/// `TUF_INTEROP_PYTHON`. `Scripts/test` sets it and `TUF_INTEROP_REQUIRED=1`, so in CI a
/// missing interpreter fails the interop tests instead of skipping them.
public enum Interop {
    /// The interpreter path, or nil when interop is not configured.
    public static var python: String? {
        guard let path = ProcessInfo.processInfo.environment["TUF_INTEROP_PYTHON"], !path.isEmpty,
              FileManager.default.isExecutableFile(atPath: path) else { return nil }
        return path
    }

    /// True when interop tests should run: configured, or required (then they fail loudly).
    public static var enabled: Bool {
        python != nil || ProcessInfo.processInfo.environment["TUF_INTEROP_REQUIRED"] == "1"
    }

    /// The project root, found from this source file's location (tests run from anywhere).
    public static var projectRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    /// Path of a committed interop script under `Tests/Interop/`.
    public static func script(_ name: String) -> String {
        projectRoot.appendingPathComponent("Tests/Interop/\(name)").path
    }

    /// Runs a committed Python script with the venv interpreter; returns exit status and output.
    public static func runPython(_ scriptName: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        guard let python else {
            Issue.record("TUF_INTEROP_PYTHON is not set to the venv's python (run Scripts/test)")
            return (127, "")
        }
        return try run(python, [script(scriptName)] + arguments)
    }

    /// Runs a program and captures stdout and stderr together.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
