import Glibc
import TUFFileSystem
import TUFMetadata

/// Local file helpers of the updater over `TUFFileSystem`: the one atomic writer, safe reads
/// and safe relative paths, with its errors as `ClientError(.ioFailed)`.
enum LocalFiles {
    /// Writes `bytes` to `path` so that a reader sees either the old file or all of the new
    /// one (`AtomicWriter`, each file and its folder fsynced).
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws(ClientError) {
        do { try writer(for: path).write([(path, bytes)]) } catch { throw ClientError(error) }
    }

    /// The writer for files that go to `path`: every file and its folder fsynced.
    static func writer(for path: String) -> AtomicWriter {
        AtomicWriter(root: FileSystem.parent(path), durability: .perFile)
    }

    /// The file's bytes, or nil when it does not exist or cannot be read (not a regular file).
    static func read(_ path: String) -> [UInt8]? {
        try? FileSystem.read(path, limit: .max)
    }

    /// A descriptor for reading `path` when it is a regular file; nil otherwise. Opened
    /// non-blocking, so a FIFO planted in the target or metadata folder cannot hang a run.
    static func openRegularFile(_ path: String) -> Int32? {
        try? FileSystem.openRegularFile(path).fd
    }

    /// Checks that a target path can be used as a path below the target folder, by the one
    /// path rule (`TargetPath.validate`, on bytes). Throws `.unsafePath` otherwise.
    static func requireSafeRelativePath(_ path: String) throws(ClientError) {
        do { try TargetPath.validate(path) } catch { throw ClientError(error, path: path) }
    }
}
