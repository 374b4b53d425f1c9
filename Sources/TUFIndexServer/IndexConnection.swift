import NIOCore
import NIOHTTP1
import TUFClient

/// One connection's requests, read in order from the HTTP codec and each answered before the
/// next is read (HTTP/1 answers go out in request order). A request whose method is not GET
/// or HEAD, or whose `Host` is not this server, is answered here; the verifying index never
/// sees it. Runs until the connection closes (`ConnectionHandler` closes it when idle or
/// after a last answer; the server's stop closes it once the answer under way is sent).
struct IndexConnection: Sendable {
    typealias Channel = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    let index: VerifyingIndex
    /// The host the server was told to listen on (one of the names `Host` may give).
    let listenHost: String

    func serve(_ connection: Channel) async {
        let channel = connection.channel
        // An error ends the connection (a client that hung up mid-answer): the cache is unaffected.
        try? await connection.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            for try await part in inbound {
                switch part {
                case .head(let request): head = request
                case .body: break // GET and HEAD have no body worth reading
                case .end:
                    guard let request = head else { continue }
                    head = nil
                    let answer = await respond(to: request, localAddress: channel.localAddress)
                    try await ResponseWriter(outbound: outbound, allocator: channel.allocator).send(answer, for: request)
                }
            }
        }
    }

    private func respond(to head: HTTPRequestHead, localAddress: SocketAddress?) async -> IndexResponse {
        if let refusal = refusal(of: head, localAddress: localAddress) { return refusal }
        return await index.respond(to: IndexRequest(method: head.method == .HEAD ? .head : .get, uri: head.uri,
                                                    accept: head.headers.first(name: "Accept"), range: head.headers.first(name: "Range")))
    }

    /// The answer for a request the index must not see: another method, or another `Host`.
    private func refusal(of head: HTTPRequestHead, localAddress local: SocketAddress?) -> IndexResponse? {
        guard head.method == .GET || head.method == .HEAD else {
            return IndexResponse(status: 405, reason: "Method Not Allowed", headers: [("Allow", "GET, HEAD"), ("Content-Type", "text/plain")],
                                 body: .bytes(Array("only GET and HEAD\n".utf8)))
        }
        switch HostHeader.check(head.headers["Host"], localAddress: local?.ipAddress ?? "", localPort: local?.port ?? 0, listenHost: listenHost) {
        case .allowed: return nil
        case .invalid:
            return IndexResponse(status: 400, reason: "Bad Request", headers: [("Content-Type", "text/plain")],
                                 body: .bytes(Array("a request needs exactly one Host header\n".utf8)))
        case .misdirected:
            return IndexResponse(status: 421, reason: "Misdirected Request", headers: [("Content-Type", "text/plain")],
                                 body: .bytes(Array("this server answers only by the address it listens on (Host does not name it)\n".utf8)))
        }
    }
}
