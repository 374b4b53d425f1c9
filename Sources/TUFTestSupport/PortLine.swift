import Foundation

/// The first line a committed test server prints ("PORT <n>"), read byte by byte so that
/// nothing after it is consumed. TEST ONLY.
enum PortLine {
    static func read(_ output: Pipe) -> String {
        var line: [UInt8] = []
        while let byte = try? output.fileHandleForReading.read(upToCount: 1)?.first, byte != UInt8(ascii: "\n") {
            line.append(byte)
        }
        return String(decoding: line, as: UTF8.self)
    }
}
