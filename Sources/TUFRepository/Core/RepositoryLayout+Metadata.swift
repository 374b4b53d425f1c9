import TUFMetadata

extension RepositoryLayout {
    /// Reads `relative` as metadata of type `P`; nil when the file does not exist. A value,
    /// so work spread over threads (the bins a publication builds on) reads through it.
    func load<P: SignedPayload>(_ type: P.Type, _ relative: String) throws(RepositoryError) -> LoadedMetadata<P>? {
        guard let bytes = try FileIO.readIfPresent(absolute(relative)) else { return nil }
        do { return LoadedMetadata(metadata: try Metadata<P>(bytes: bytes, name: relative), bytes: bytes) } catch {
            throw RepositoryError(.invalidMetadata, "\(absolute(relative)): \(error.message)")
        }
    }

    /// `load`, with a missing file an error naming it.
    func require<P: SignedPayload>(_ type: P.Type, _ relative: String) throws(RepositoryError) -> LoadedMetadata<P> {
        guard let l = try load(type, relative) else {
            throw RepositoryError(.invalidMetadata, "\(absolute(relative)) is missing")
        }
        return l
    }
}
