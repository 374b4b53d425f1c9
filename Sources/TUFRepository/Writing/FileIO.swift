import Glibc
import TUFCanonicalJSON
import TUFCrypto
import TUFFileSystem

/// The repository's file reads over `TUFFileSystem`, with its errors as `RepositoryError(.io)`
/// and the JSON parser's size limit. Status checks and listings are `FileSystem`'s own.
enum FileIO {
    /// The bytes of the regular file `path` (a key, staged or published metadata), never more
    /// than the JSON parser takes (`FileSystem.read`).
    static func read(_ path: String) throws(RepositoryError) -> [UInt8] {
        do { return try FileSystem.read(path, limit: JSONParser().maxBytes) } catch { throw RepositoryError(error) }
    }

    /// The bytes of `path`, or nil when it does not exist.
    static func readIfPresent(_ path: String) throws(RepositoryError) -> [UInt8]? {
        do { return try FileSystem.readIfPresent(path, limit: JSONParser().maxBytes) } catch { throw RepositoryError(error) }
    }

    /// The directory `path`, held open (`Directory`).
    static func directory(_ path: String) throws(RepositoryError) -> Directory {
        do { return try Directory(path) } catch { throw RepositoryError(error) }
    }

    /// See `Directory.openRegularFile`.
    static func openRegularFile(_ relative: String, in directory: Directory) throws(RepositoryError) -> (fd: Int32, status: stat) {
        do { return try directory.openRegularFile(relative) } catch { throw RepositoryError(error) }
    }

    /// See `Directory.readRegularFile`.
    static func readRegularFile(_ relative: String, in directory: Directory, limit: Int) throws(RepositoryError) -> [UInt8] {
        do { return try directory.readRegularFile(relative, limit: limit) } catch { throw RepositoryError(error) }
    }

    /// The `algorithm` digest of the rest of open file `fd` (named `name` in messages), read in
    /// chunks so a large file is never held whole.
    static func digest(_ fd: Int32, _ algorithm: HashAlgorithm, name: String) throws(RepositoryError) -> [UInt8] {
        let hasher = StreamingHasher(algorithm)
        do { try FileSystem.readChunks(fd, name) { hasher.update($0); return true } } catch { throw RepositoryError(error) }
        return hasher.finalize()
    }

    /// Creates `path` and its parents (mode 0755).
    static func makeDirectories(_ path: String) throws(RepositoryError) {
        do { try FileSystem.makeDirectories(path) } catch { throw RepositoryError(error) }
    }

    static func remove(_ path: String) throws(RepositoryError) {
        do { try FileSystem.remove(path) } catch { throw RepositoryError(error) }
    }

    /// Writes `bytes` to a new file `path` (`TemporaryFile.createExclusive`).
    static func createExclusive(_ path: String, _ bytes: [UInt8], mode: mode_t) throws(RepositoryError) {
        do { try TemporaryFile.createExclusive(path, bytes, mode: mode) } catch { throw RepositoryError(error) }
    }
}
