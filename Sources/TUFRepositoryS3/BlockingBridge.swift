import Dispatch
import Synchronization
import TUFRepository

/// Runs async object-store calls from the repository's synchronous commands. The task runs
/// on a serial dispatch queue of its own (a task executor), never on Swift's cooperative
/// pool, so a caller that blocks a pool thread while it waits (a test, a server) cannot
/// starve the task it waits for: on a 2-core machine the pool has two threads.
enum BlockingBridge {
    private static let executor = QueueExecutor()

    static func run<T: Sendable>(_ body: @escaping @Sendable () async throws(RepositoryError) -> T) throws(RepositoryError) -> T {
        let done = DispatchSemaphore(value: 0)
        let result = Mutex<Result<T, RepositoryError>?>(nil)
        Task(executorPreference: executor) {
            let r: Result<T, RepositoryError>
            do throws(RepositoryError) { r = .success(try await body()) } catch { r = .failure(error) }
            result.withLock { $0 = r }
            done.signal()
        }
        done.wait()
        return try result.withLock { $0! }.get()
    }
}

/// A task executor on a serial dispatch queue (an overcommitting queue: it gets a thread of
/// its own when the others are blocked).
private final class QueueExecutor: TaskExecutor {
    let queue = DispatchQueue(label: "swift-tuf.bucket")

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

extension BlockingBridge {
    /// Runs `body` to its end, for clean-up that cannot fail (a client's shutdown).
    static func runDetached(_ body: @escaping @Sendable () async -> Void) {
        _ = try? run { () async throws(RepositoryError) -> Bool in await body(); return true }
    }
}
