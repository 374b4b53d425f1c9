import Foundation

/// A temporary folder (made with mkdtemp) removed when the value goes away. TEST ONLY.
public final class TempDir {
    public let path: String

    public init(prefix: String = "swift-tuf-test") {
        var template = Array((NSTemporaryDirectory() + "\(prefix)-XXXXXX").utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// `path/name`.
    public func sub(_ name: String) -> String { path + "/" + name }

    /// Every file below the folder (or below `sub`), as sorted relative paths.
    public func files(_ sub: String = "") -> [String] {
        let root = sub.isEmpty ? path : "\(path)/\(sub)"
        let all = (FileManager.default.enumerator(atPath: root)?.allObjects as? [String]) ?? []
        return all.filter { p in
            var dir: ObjCBool = false
            return FileManager.default.fileExists(atPath: "\(root)/\(p)", isDirectory: &dir) && !dir.boolValue
        }.sorted()
    }
}
