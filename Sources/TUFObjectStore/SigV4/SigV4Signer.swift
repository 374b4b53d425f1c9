import Glibc
import TUFCrypto

/// AWS Signature Version 4 (header form, HMAC-SHA256) for one region and service. Pure:
/// the request and the time come in, the headers to add go out; nothing is read or sent.
public struct SigV4Signer: Sendable {
    public let credentials: AWSCredentials
    public let region: String
    public let service: String

    public init(credentials: AWSCredentials, region: String, service: String = "s3") {
        self.credentials = credentials; self.region = region; self.service = service
    }

    /// The headers to add to `request` signed at `secondsSinceEpoch`: `x-amz-date`,
    /// `x-amz-content-sha256` (S3 wants it on every request), `x-amz-security-token` with
    /// temporary credentials, and `authorization` last.
    public func sign(_ request: SigV4Request, at secondsSinceEpoch: Int64) -> [(name: String, value: String)] {
        let time = Self.amzDate(secondsSinceEpoch)
        var added: [(name: String, value: String)] = [("x-amz-date", time)]
        if service == "s3" { added.append(("x-amz-content-sha256", request.payloadSHA256)) }
        if let token = credentials.sessionToken { added.append(("x-amz-security-token", token)) }
        var signed = request
        signed.headers += added
        return added + [("authorization", authorization(signed, amzDate: time))]
    }

    /// The `Authorization` value of a request that already carries its `x-amz-date` header.
    public func authorization(_ request: SigV4Request, amzDate: String) -> String {
        let day = String(amzDate.prefix(8))
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let canonical = canonicalForm(request)
        let toSign = ["AWS4-HMAC-SHA256", amzDate, scope, Hex.encode(Hash.digest(.sha256, Array(canonical.request.utf8)))].joined(separator: "\n")
        let signature = Hex.encode(HMAC.sha256(key: signingKey(day: day), Array(toSign.utf8)))
        return "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(canonical.signedHeaders), Signature=\(signature)"
    }

    /// The canonical request (method, encoded path, sorted query, canonical headers, signed
    /// header names, payload hash), one per line.
    public func canonicalRequest(_ request: SigV4Request) -> String { canonicalForm(request).request }

    /// The canonical request and its signed header names, from one canonicalisation of the headers.
    private func canonicalForm(_ request: SigV4Request) -> (request: String, signedHeaders: String) {
        let encoded: [(name: String, value: String)] = request.query.map { parameter in
            (URIEncoding.encode(parameter.name, keepSlash: false), URIEncoding.encode(parameter.value, keepSlash: false))
        }
        // Encoded text is ASCII, so String order is byte order.
        let sorted = encoded.sorted { a, b in a.name == b.name ? a.value < b.value : a.name < b.name }
        let query = sorted.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
        let headers = Self.canonicalHeaders(request.headers)
        let signedHeaders = headers.map(\.name).joined(separator: ";")
        let text = [request.method, URIEncoding.encode(request.path.isEmpty ? "/" : request.path, keepSlash: true), query,
                    headers.map { "\($0.name):\($0.value)\n" }.joined(), signedHeaders, request.payloadSHA256].joined(separator: "\n")
        return (text, signedHeaders)
    }

    /// The key for `day` (YYYYMMDD): HMAC chained over the date, region, service and
    /// `aws4_request`, starting from "AWS4" and the secret.
    func signingKey(day: String) -> [UInt8] {
        var key = HMAC.sha256(key: Array(("AWS4" + credentials.secretAccessKey).utf8), Array(day.utf8))
        for part in [region, service, "aws4_request"] { key = HMAC.sha256(key: key, Array(part.utf8)) }
        return key
    }

    /// Header names lower-cased and sorted; values trimmed, inner runs of spaces made one;
    /// repeated names joined with commas in the order given.
    static func canonicalHeaders(_ headers: [(name: String, value: String)]) -> [(name: String, value: String)] {
        var merged: [String: [String]] = [:]
        for (name, value) in headers {
            let words = value.split(separator: " ", omittingEmptySubsequences: true)
            merged[name.lowercased(), default: []].append(words.joined(separator: " "))
        }
        return merged.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            .map { ($0, merged[$0]!.joined(separator: ",")) }
    }

    /// `YYYYMMDDThhmmssZ` in UTC.
    public static func amzDate(_ secondsSinceEpoch: Int64) -> String {
        var t = time_t(secondsSinceEpoch)
        var parts = tm()
        gmtime_r(&t, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(parts.tm_year + 1900)\(two(parts.tm_mon + 1))\(two(parts.tm_mday))T\(two(parts.tm_hour))\(two(parts.tm_min))\(two(parts.tm_sec))Z"
    }
}
