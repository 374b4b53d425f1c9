import Foundation
import TUFClient

/// A URL's origin (RFC 6454: scheme, host, port; a default port counts as given). Redirects
/// are followed only within the origin of the URL first asked for: a mirror must not be
/// able to point the client at another host or port, e.g. a service on the client's own
/// network that only the client can reach (a blind GET on the attacker's behalf).
struct Origin: Equatable, CustomStringConvertible {
    let scheme: String, host: String, port: Int

    init?(_ url: String) {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(),
              let host = parsed.host?.lowercased(), !host.isEmpty else { return nil }
        self.scheme = scheme; self.host = host
        port = parsed.port ?? (scheme == "https" ? 443 : scheme == "http" ? 80 : -1)
    }

    var description: String { "\(scheme)://\(host.contains(":") ? "[\(host)]" : host):\(port)" }

    static let redirectStatuses: Set<UInt> = [301, 302, 303, 307, 308]

    /// The absolute URL that `location` (a redirect from `url`, status `status`) points to,
    /// when it stays in `self`; otherwise an error naming both URLs.
    func redirect(from url: String, status: UInt, to location: String?) throws(ClientError) -> String {
        guard let location, !location.isEmpty else { throw ClientError(.fetchFailed, "\(url): HTTP \(status) without a Location") }
        guard let target = URL(string: location, relativeTo: URL(string: url))?.absoluteString, let next = Origin(target) else {
            throw ClientError(.fetchFailed, "\(url): HTTP \(status) to an invalid URL \(location)")
        }
        guard next == self else {
            throw ClientError(.fetchFailed, "\(url): redirected to \(target), another origin (only redirects within \(self) are followed)")
        }
        return target
    }
}
