/// A JSON object with its members in order. Keys are compared by UTF-8 bytes; sorting is by
/// UTF-8 bytes too, which equals Python's code-point order.
public struct JSONObject: Sendable, Equatable {
    /// One key and its value.
    public struct Member: Sendable, Equatable {
        public var key: String
        public var value: JSON
        public init(key: String, value: JSON) { self.key = key; self.value = value }
        public static func == (lhs: Member, rhs: Member) -> Bool {
            UTF8Order.equal(lhs.key, rhs.key) && lhs.value == rhs.value
        }
    }

    /// The members in the order they were read or added.
    public var members: [Member]

    /// An object with these members (the caller guarantees distinct keys).
    public init(_ members: [Member] = []) { self.members = members }

    /// The value of `key`, compared by UTF-8 bytes.
    public subscript(key: String) -> JSON? {
        get { index(of: key).map { members[$0].value } }
        set {
            if let i = index(of: key) {
                if let newValue { members[i].value = newValue } else { members.remove(at: i) }
            } else if let newValue {
                members.append(Member(key: key, value: newValue))
            }
        }
    }

    /// The position of `key`, compared by UTF-8 bytes.
    public func index(of key: String) -> Int? {
        members.firstIndex { UTF8Order.equal($0.key, key) }
    }

    /// The keys in order.
    public var keys: [String] { members.map(\.key) }
    /// Number of members.
    public var count: Int { members.count }

    /// Two objects are equal when they have the same members regardless of order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.members.count == rhs.members.count else { return false }
        return lhs.members.allSatisfy { m in rhs[m.key].map { $0 == m.value } ?? false }
    }

    /// Members sorted by key bytes, the order canonical JSON writes.
    public var sortedMembers: [Member] {
        // Input that is already canonical (the usual case) needs no sort and no copy.
        var sorted = true
        for i in members.indices.dropFirst() where !UTF8Order.precedes(members[i - 1].key, members[i].key) {
            sorted = false
            break
        }
        return sorted ? members : members.sorted { UTF8Order.precedes($0.key, $1.key) }
    }
}

/// Ordering and equality of strings by their UTF-8 bytes, on contiguous storage (the generic
/// `UTF8View` algorithms cost several times more in the hot paths of parsing and encoding).
public enum UTF8Order {
    /// Calls `body` with the string's UTF-8 bytes in contiguous memory (native strings have
    /// them already; small ones are copied to the stack, bridged ones once).
    @inline(__always)
    static func withBytes<R>(_ s: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let r = s.utf8.withContiguousStorageIfAvailable(body) { return r }
        // Small strings (up to 15 bytes: every bin and snapshot key) have no contiguous
        // storage to lend; `withUTF8` copies them to the stack rather than to a new array.
        var copy = s
        return copy.withUTF8(body)
    }

    /// True when `a` sorts before `b` by UTF-8 bytes (equivalently, by code points).
    public static func precedes(_ a: String, _ b: String) -> Bool {
        withBytes(a) { pa in
            withBytes(b) { pb in
                let n = min(pa.count, pb.count)
                for i in 0..<n where pa[i] != pb[i] { return pa[i] < pb[i] }
                return pa.count < pb.count
            }
        }
    }

    /// True when `a` and `b` have the same UTF-8 bytes (unlike `==`, which ignores
    /// differences of Unicode normalisation).
    public static func equal(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        return withBytes(a) { pa in
            withBytes(b) { pb in
                guard let x = pa.baseAddress, let y = pb.baseAddress else { return true }
                var i = 0
                while i + 8 <= pa.count {
                    if UnsafeRawPointer(x + i).loadUnaligned(as: UInt64.self) != UnsafeRawPointer(y + i).loadUnaligned(as: UInt64.self) {
                        return false
                    }
                    i += 8
                }
                while i < pa.count {
                    if x[i] != y[i] { return false }
                    i += 1
                }
                return true
            }
        }
    }
}

/// A string key hashed and compared by its exact UTF-8 bytes, for sets and dictionaries
/// where `String`'s Unicode-equivalence would merge distinct keys.
public struct ExactKey: Hashable, Sendable {
    public let string: String
    public init(_ string: String) { self.string = string }
    public static func == (lhs: ExactKey, rhs: ExactKey) -> Bool { UTF8Order.equal(lhs.string, rhs.string) }
    public func hash(into hasher: inout Hasher) {
        UTF8Order.withBytes(string) { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
