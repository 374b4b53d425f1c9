import TUFClient

/// A whole download's time limit. The client's own deadline covers only the wait for the
/// response head, so the transfer runs beside a timer and whichever ends first wins; the
/// other is cancelled (a cancelled transfer stops reading and closes its connection).
enum TimeLimit {
    static func run<T: Sendable>(seconds: Double, timedOut: ClientError,
                                 _ body: @escaping @Sendable () async throws(ClientError) -> T) async throws(ClientError) -> T {
        let first = await withTaskGroup(of: Result<T, ClientError>?.self) { group in
            group.addTask {
                do throws(ClientError) { return .success(try await body()) } catch { return .failure(error) }
            }
            group.addTask {
                // nil: the time is up. Cancelled: the transfer ended first (this result is not
                // read) or the caller was cancelled.
                do { try await Task.sleep(nanoseconds: UInt64(max(0, min(seconds, 1e9)) * 1e9)) } catch {
                    return .failure(ClientError(.fetchFailed, "download cancelled"))
                }
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        guard let first else { throw timedOut }
        return try first.get()
    }
}
