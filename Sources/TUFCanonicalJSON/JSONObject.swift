/// A JSON object with its members in order. Keys are compared by UTF-8 bytes; sorting is by
/// UTF-8 bytes too, which equals Python's code-point order.
public struct JSONObject: Sendable, Equatable {
    /// One key and its value.
    public struct Member: Sendable, Equatable {
        public var key: String
        public var value: JSON
        public init(key: String, value: JSON) { self.key = key; self.value = value }
        public static func == (lhs: Member, rhs: Member) -> Bool {
            lhs.key.utf8.elementsEqual(rhs.key.utf8) && lhs.value == rhs.value
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
        members.firstIndex { $0.key.utf8.elementsEqual(key.utf8) }
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
        members.sorted { UTF8Order.precedes($0.key, $1.key) }
    }
}

/// Ordering and hashing of strings by their UTF-8 bytes.
public enum UTF8Order {
    /// True when `a` sorts before `b` by UTF-8 bytes (equivalently, by code points).
    @inlinable public static func precedes(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}

/// A string key hashed and compared by its exact UTF-8 bytes, for sets and dictionaries
/// where `String`'s Unicode-equivalence would merge distinct keys.
public struct ExactKey: Hashable, Sendable {
    public let string: String
    public init(_ string: String) { self.string = string }
    public static func == (lhs: ExactKey, rhs: ExactKey) -> Bool { lhs.string.utf8.elementsEqual(rhs.string.utf8) }
    public func hash(into hasher: inout Hasher) {
        var s = string
        s.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
