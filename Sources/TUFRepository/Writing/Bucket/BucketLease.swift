import Glibc
import TUFCanonicalJSON
import TUFMetadata

/// The bucket's publisher lease: `tuf-repo-lease.json` at the prefix, created only if absent
/// (`If-None-Match: *`, which S3 and the S3-compatible stores evaluate atomically), naming its
/// holder and when it lapses. A lease past its time, or left by a process of this machine that
/// is gone, is taken over; one in force is refused, naming the holder. Released at the end of
/// the command.
struct BucketLease {
    static let key = "tuf-repo-lease.json"
    let bucket: any ObjectBucket
    /// `host pid random`: this run, and no other.
    let holder: String

    /// Takes the lease until `now + seconds`.
    static func acquire(_ bucket: any ObjectBucket, now: Expiry, seconds: Int64) throws(RepositoryError) -> BucketLease {
        let lease = BucketLease(bucket: bucket, holder: holderName())
        let bytes = lease.encoded(until: now.adding(seconds: seconds))
        let object = BucketObject(key: key, bytes: bytes, createOnly: true, contentType: "application/json", cacheControl: "no-store")
        if try bucket.put([object]) == [.stored] { return lease }
        if let held = try lease.read(), held.holder != lease.holder, !(held.until < now), !isDeadHereBefore(held.holder) {
            throw RepositoryError(.publisherBusy, "\(bucket.name)\(key): \(held.holder) publishes to this bucket until \(held.until) (its lease); wait for it, or remove the lease object if that publisher is gone")
        }
        // Lapsed (or unreadable): its holder is gone. Last writer wins; `confirm` reads it back.
        var replace = object
        replace.createOnly = false
        _ = try bucket.put([replace])
        try lease.confirm()
        return lease
    }

    /// Fails unless the lease object still names this run.
    func confirm() throws(RepositoryError) {
        guard let held = try read(), held.holder == holder else {
            throw RepositoryError(.publisherBusy, "\(bucket.name)\(Self.key): another publisher took the lease during this run; nothing more was written")
        }
    }

    /// Removes the lease if it is still this run's.
    func release() {
        guard let held = try? read(), held.holder == holder else { return }
        try? bucket.delete([Self.key])
    }

    private func read() throws(RepositoryError) -> (holder: String, until: Expiry)? {
        guard let bytes = try bucket.get(Self.key, maxBytes: 4096) else { return nil }
        // An unreadable lease counts as lapsed: its holder cannot be named or waited for.
        guard let o = (try? JSONParser(maxDepth: 4).parse(bytes))?.objectValue, let h = o["holder"]?.stringValue,
              let until = o["until"]?.stringValue.flatMap(Expiry.init(iso8601:)) else { return ("(unreadable lease)", Expiry(secondsSinceEpoch: 0)) }
        return (h, until)
    }

    private func encoded(until: Expiry) -> [UInt8] {
        CanonicalJSON.encode(.object(JSONObject([.init(key: "holder", value: .string(holder)), .init(key: "until", value: .string(until.iso8601))])))
    }

    private static func holderName() -> String {
        "\(hostName()) pid \(getpid()) run \(UInt64.random(in: 0...UInt64.max) & 0xffff_ffff)"
    }

    private static func hostName() -> String {
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, host.count - 1)
        return String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A lease of an earlier run on this machine whose process is gone (killed, or its
    /// release failed with the store): it binds nobody, and waiting out its time would stall
    /// cron's next run for nothing.
    private static func isDeadHereBefore(_ holder: String) -> Bool {
        let parts = holder.split(separator: " ")
        guard parts.count == 5, parts[0] == hostName(), parts[1] == "pid", let pid = Int32(parts[2]), pid > 0, pid != getpid() else { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }
}
