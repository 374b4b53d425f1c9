/// A stack whose top elements are moved, not copied, into a new array: the parser's scratch
/// space for the members and elements of containers still open. Moving skips a retain and a
/// release per value that `Array(stack[base...])` plus `removeSubrange` would cost.
final class MoveStack<Element> {
    private var storage: UnsafeMutablePointer<Element>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int = 64) {
        self.capacity = capacity
        storage = .allocate(capacity: capacity)
    }

    deinit {
        storage.deinitialize(count: count)
        storage.deallocate()
    }

    subscript(i: Int) -> Element { storage[i] }

    func push(_ element: consuming Element) {
        if count == capacity {
            let bigger = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
            bigger.moveInitialize(from: storage, count: count)
            storage.deallocate()
            storage = bigger
            capacity *= 2
        }
        (storage + count).initialize(to: element)
        count += 1
    }

    /// Moves the elements from `base` to the top into a new array and pops them.
    func popArray(from base: Int) -> [Element] {
        let n = count - base
        let out = [Element](unsafeUninitializedCapacity: n) { buffer, initialized in
            buffer.baseAddress!.moveInitialize(from: storage + base, count: n)
            initialized = n
        }
        count = base
        return out
    }
}
