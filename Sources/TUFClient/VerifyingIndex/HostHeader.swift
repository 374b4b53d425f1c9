/// The `Host` check of `tuf-verify serve`. A web page can make a browser send requests to
/// 127.0.0.1 under the page's own name (DNS rebinding) and read the answers as its own; those
/// requests carry that name in `Host`. So only the names of the address the connection came
/// in on are answered: that address, the host the server was told to listen on, and for a
/// loopback address `localhost`, `127.0.0.1` and `[::1]`, each with the port listened on.
public enum HostHeader {
    public enum Verdict: Equatable, Sendable {
        case allowed
        /// No `Host`, or more than one: 400 (RFC 9112 3.2).
        case invalid
        /// A name or port this server is not: 421 Misdirected Request (RFC 9110 15.5.20).
        case misdirected
    }

    /// Checks the `Host` values of a request that came in on `localAddress` (an IP literal)
    /// port `localPort`, on a server told to listen on `listenHost`.
    public static func check(_ values: [String], localAddress: String, localPort: Int, listenHost: String) -> Verdict {
        guard values.count == 1, let (name, port) = split(values[0].lowercased()) else { return .invalid }
        guard port == localPort else { return .misdirected }
        let local = unmapped(localAddress.lowercased())
        var names: Set<String> = [local, unmapped(listenHost.lowercased())]
        if isLoopback(local) { names.formUnion(["localhost", "127.0.0.1", "::1"]) }
        return names.contains(unmapped(name)) ? .allowed : .misdirected
    }

    /// True for the loopback addresses and `localhost`.
    public static func isLoopback(_ host: String) -> Bool {
        let h = unmapped(host.lowercased())
        return h == "localhost" || h == "::1" || h.hasPrefix("127.")
    }

    /// `name:port`, `[v6]:port` or a bare name (port 80, HTTP's default); nil when malformed.
    static func split(_ value: String) -> (name: String, port: Int)? {
        let text = Substring(value).trimmingSpaces()
        var name: Substring, rest: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            name = text[text.index(after: text.startIndex)..<close]
            rest = text[text.index(after: close)...]
        } else if let colon = text.firstIndex(of: ":") {
            (name, rest) = (text[..<colon], text[colon...])
        } else {
            (name, rest) = (Substring(text), "")
        }
        guard !name.isEmpty else { return nil }
        if rest.isEmpty { return (String(name), 80) }
        let digits = rest.dropFirst()
        guard rest.first == ":", !digits.isEmpty, digits.count <= 5, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
              let port = Int(digits), port <= 65535 else { return nil }
        return (String(name), port)
    }

    /// An IPv4 address written as IPv6 (`::ffff:127.0.0.1`, as a dual-stack socket reports
    /// it) in its IPv4 form.
    private static func unmapped(_ address: String) -> String {
        address.hasPrefix("::ffff:") && address.contains(".") ? String(address.dropFirst("::ffff:".count)) : address
    }
}
