// swift-tools-version:6.0
// libFuzzer targets for swift-tuf: a package of its own, so that the root package's build and
// tests never compile them. Built and run by Scripts/fuzz (with -sanitize=fuzzer,address).
import Foundation
import PackageDescription

// A path dependency's identity is the name of its folder, which is whatever the checkout is
// called (swift-tuf, main, a worktree…): read it rather than assume it.
let rootFolder = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().deletingLastPathComponent()
let root = rootFolder.lastPathComponent

let fuzzers = ["canonical-json", "metadata", "index-page", "pem"]

let package = Package(
    name: "swift-tuf-fuzz",
    platforms: [.macOS(.v13)],
    dependencies: [.package(path: "../..")],
    targets: [
        // The checks themselves; the replay test of the root package compiles the same files
        // (Tests/TUFClientTests/FuzzTargets links here).
        .target(name: "FuzzTargets", dependencies: [
            .product(name: "TUFCanonicalJSON", package: root),
            .product(name: "TUFCrypto", package: root),
            .product(name: "TUFMetadata", package: root),
            .product(name: "TUFClient", package: root),
            .product(name: "TUFRepository", package: root),
        ]),
    ] + fuzzers.map { name in
        // One libFuzzer executable per target: its only file defines LLVMFuzzerTestOneInput.
        .executableTarget(name: "fuzz-\(name)", dependencies: ["FuzzTargets"])
    },
    swiftLanguageModes: [.v6]
)
