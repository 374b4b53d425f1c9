import ArgumentParser
import Foundation
import TUFMetadata

/// Project names from `--project` options and a `--projects-from FILE|-` list: one name a
/// line, blank lines and `#` comments ignored. Checking and normalizing is the library's.
enum ProjectNames {
    /// True when `name`, normalized (PEP 503), can be a project's folder.
    static func isUsable(_ name: String) -> Bool { PackageIndex.isUsableProjectName(PackageIndex.normalize(name)) }

    static func read(_ names: [String], from file: String?) throws -> [String] {
        var out = names
        guard let file else { return out }
        let data: Data
        if file == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let d = FileManager.default.contents(atPath: file) else { throw ValidationError("\(file): cannot read the list of projects") }
            data = d
        }
        for line in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline) {
            let name = line.trimmingCharacters(in: .whitespaces)
            if name.isEmpty || name.hasPrefix("#") { continue }
            guard isUsable(name) else { throw ValidationError("\(file): \(name): not a usable project name") }
            out.append(name)
        }
        return out
    }
}
