/// Lets one holder in at a time, the others waiting in order (without blocking a thread of
/// the cooperative pool, as a semaphore would). TEST ONLY: heavy test servers take turns.
actor StartGate {
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func enter() async {
        guard busy else { busy = true; return }
        await withCheckedContinuation { waiting.append($0) }
    }

    func leave() {
        if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
    }
}
