import Foundation

/// Free TCP ports on 127.0.0.1 for a server that must be told its ports (seaweedfs, moto).
/// Each is bound to port 0 and read back; all stay bound until every one is chosen, so they
/// differ, then are released for the server. Another process could take one in between;
/// on a test machine that is rare, and the server's start then fails loudly. TEST ONLY.
public enum FreePorts {
    /// `count` distinct free ports.
    public static func take(_ count: Int) throws -> [Int] {
        var sockets: [Int32] = []
        defer { for s in sockets { close(s) } }
        var ports: [Int] = []
        for _ in 0..<count {
            let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard s >= 0 else { throw PortFailure(description: "socket: errno \(errno)") }
            sockets.append(s)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, length) == 0 && getsockname(s, $0, &length) == 0 }
            }
            guard bound else { throw PortFailure(description: "bind 127.0.0.1:0: errno \(errno)") }
            ports.append(Int(UInt16(bigEndian: address.sin_port)))
        }
        return ports
    }

    struct PortFailure: Error, CustomStringConvertible { let description: String }
}
