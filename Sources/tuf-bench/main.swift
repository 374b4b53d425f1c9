// Benchmark driver for Scripts/bench: prints one "name value unit" line per figure, so the
// script can set them beside python-tuf's. Not a user tool; build it in release mode.
import Foundation
import TUFCanonicalJSON
import TUFCrypto
import TUFMetadata

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// Runs `body` repeatedly in five windows of at least 0.3 s each and returns the best
/// window's runs per second: this machine's speed drifts, and the best window is the least
/// disturbed one. python_bench.py measures the same way.
func rate(_ body: () throws -> Void) rethrows -> Double {
    var best = 0.0
    for _ in 0..<5 {
        var runs = 0
        var total = 0.0
        while total < 0.3 {
            total += try seconds(body)
            runs += 1
        }
        best = max(best, Double(runs) / total)
    }
    return best
}

func report(_ name: String, _ value: Double, _ unit: String) {
    print("\(name) \(String(format: "%.1f", value)) \(unit)")
}

func benchJSON(_ path: String) throws {
    let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    let mb = Double(bytes.count) / 1_000_000
    let parser = JSONParser()
    var value = try parser.parse(bytes)
    report("json.decode", mb * (try rate { value = try parser.parse(bytes) }), "MB/s")
    var out: [UInt8] = []
    report("json.canonical_encode", mb * rate { out = CanonicalJSON.encode(value) }, "MB/s")
    report("json.decode_encode", mb * (try rate { out = CanonicalJSON.encode(try parser.parse(bytes)) }), "MB/s")
    report("metadata.parse_targets", try rate {
        let envelope = try Envelope(bytes: bytes, name: "bench")
        _ = try Metadata<Targets>(envelope: envelope)
    }, "files/s")
    // What a verifier does short of the signature check: model plus canonical `signed`.
    report("metadata.parse_canonical", try rate { _ = try Metadata<Targets>(bytes: bytes).signedBytes() }, "files/s")
    _ = out
}

func benchEd25519() throws {
    let key = try PrivateKey.generate(.ed25519)
    let message = Array(repeating: UInt8(0x61), count: 256)
    var signature: [UInt8] = []
    report("ed25519.sign", try rate { for _ in 0..<100 { signature = try key.sign(message) } } * 100, "ops/s")
    let publicKey = key.publicKey
    var ok = true
    report("ed25519.verify", rate { for _ in 0..<100 { ok = ok && publicKey.verify(signature: signature, message: message) } } * 100, "ops/s")
    precondition(ok)
}

let args = CommandLine.arguments.dropFirst()
do {
    switch args.first {
    case "json": try benchJSON(args.dropFirst().first ?? "")
    case "ed25519": try benchEd25519()
    case "json-loop":
        // Fixed work for instruction counting under callgrind (figures that ignore load).
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: String(args.dropFirst().first ?? ""))))
        for _ in 0..<(Int(args.dropFirst(2).first ?? "") ?? 1) { _ = CanonicalJSON.encode(try JSONParser().parse(bytes)) }
    case "metadata-loop":
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: String(args.dropFirst().first ?? ""))))
        for _ in 0..<(Int(args.dropFirst(2).first ?? "") ?? 1) { _ = try Metadata<Targets>(bytes: bytes) }
    case "metadata":
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: String(args.dropFirst().first ?? ""))))
        report("metadata.parse_targets", try rate {
            _ = try Metadata<Targets>(envelope: try Envelope(bytes: bytes, name: "bench"))
        }, "files/s")
    default:
        FileHandle.standardError.write(Data("usage: tuf-bench json FILE | metadata FILE | ed25519\n".utf8))
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("tuf-bench: \(error)\n".utf8))
    exit(1)
}
