import Foundation

/// A plain TCP connection to 127.0.0.1 (TEST ONLY), for what an HTTP library would not send: another or no
/// `Host`, a request cut short, or nothing at all. Every read gives up after `guardSeconds`
/// (a server that never answers or never closes fails the test rather than hanging it).
public final class RawConnection {
    private let fd: Int32
    public static let guardSeconds = 30

    public init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ConnectFailure(description: "socket: \(String(cString: strerror(errno)))") }
        var timeout = timeval(tv_sec: Self.guardSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw ConnectFailure(description: "connect to port \(port): \(String(cString: strerror(errno)))")
        }
    }

    deinit { close(fd) }

    public func send(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// A GET of `path` with the given header lines (`Host` is not added).
    public func get(_ path: String, _ headers: [String]) {
        send("GET \(path) HTTP/1.1\r\n" + headers.map { $0 + "\r\n" }.joined() + "\r\n")
    }

    /// What the server sends until it closes the connection; `closed` is false when the guard
    /// ran out first (the server kept the connection open).
    public func readToEnd() -> (text: String, closed: Bool) {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 { out += buffer[..<n]; continue }
            if n < 0 && errno == EINTR { continue }
            // 0: the server closed; ECONNRESET: it closed with data unread. EAGAIN: the guard.
            return (String(decoding: out, as: UTF8.self), n == 0 || errno == ECONNRESET)
        }
    }

    /// One whole response (status line, headers, `Content-Length` bytes of body) on a
    /// connection that stays open; nil when the connection ended first.
    public func readResponse() -> String? {
        var out: [UInt8] = []
        var byte: UInt8 = 0
        while !out.ends(with: Array("\r\n\r\n".utf8)) {
            guard recv(fd, &byte, 1, 0) == 1 else { return nil }
            out.append(byte)
        }
        let head = String(decoding: out, as: UTF8.self)
        let lengthLine = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
        var remaining = lengthLine.flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
        while remaining > 0 {
            guard recv(fd, &byte, 1, 0) == 1 else { return nil }
            out.append(byte)
            remaining -= 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// The connection could not be made.
public struct ConnectFailure: Error, CustomStringConvertible {
    public let description: String
}

private extension Array where Element == UInt8 {
    func ends(with suffix: [UInt8]) -> Bool { count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix }
}
