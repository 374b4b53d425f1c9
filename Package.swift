// swift-tools-version:6.0
// swift-tuf: a TUF repository toolkit and verifying client. The module map is in README.md.
import PackageDescription

let package = Package(
    name: "swift-tuf",
    products: [
        .library(name: "TUFCanonicalJSON", targets: ["TUFCanonicalJSON"]),
        .library(name: "TUFCrypto", targets: ["TUFCrypto"]),
        .library(name: "TUFMetadata", targets: ["TUFMetadata"]),
        .library(name: "TUFClient", targets: ["TUFClient"]),
        .library(name: "TUFHTTPClient", targets: ["TUFHTTPClient"]),
        .library(name: "TUFRepository", targets: ["TUFRepository"]),
        .library(name: "TUFRepositoryS3", targets: ["TUFRepositoryS3"]),
        .executable(name: "tuf-repo", targets: ["tuf-repo"]),
        .executable(name: "tuf-verify", targets: ["tuf-verify"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // The HTTP/1 server of `tuf-verify serve` (issue 10): NIO's own HTTP codec, no framework
        // on top, so CI builds three NIO modules rather than a web stack (see the commit).
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // The HTTP(S) client of `tuf-verify` and of `serve`'s upstream (TUFHTTPClient): it stops
        // reading at the byte limit and closes the connection, and keeps connections for reuse.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // Its TLS (BoringSSL), named here for the trust-roots type only; no other module of it is used.
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.0"),
    ],
    targets: [
        .systemLibrary(name: "CSodium", pkgConfig: "libsodium", providers: [.apt(["libsodium-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // The repository's state store and upload queue (WAL databases under REPO/state/).
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // The one error shape (`TUFError`) and terminal escaping (`DisplayText`), below every module.
        .target(name: "TUFBase"),
        .target(name: "TUFCanonicalJSON", dependencies: ["TUFBase"]),
        // Declarations of PKCS#11 written here; modules are loaded at run time (dlopen), never linked.
        .systemLibrary(name: "CPKCS11"),
        .target(name: "TUFCrypto", dependencies: ["TUFBase", "CSodium", "COpenSSL", "CPKCS11"]),
        // The file helpers and the one atomic writer of the client and the repository (Linux).
        .target(name: "TUFFileSystem", dependencies: ["TUFBase"]),
        // TUFFileSystem for its one path split only (target paths split as file paths do); the
        // model reads no files.
        .target(name: "TUFMetadata", dependencies: ["TUFBase", "TUFCanonicalJSON", "TUFCrypto", "TUFFileSystem"]),
        .target(name: "TUFClient", dependencies: ["TUFMetadata", "TUFFileSystem"]),
        // The one network fetcher (HTTP/1.1 and TLS over NIO), apart so that TUFClient, and the
        // repository tools that use it, link no networking.
        .target(name: "TUFHTTPClient", dependencies: [
            "TUFClient",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),
        // The audit replays a repository through the client's trusted set: one set of rules.
        // The loopback HTTP server of `tuf-verify serve`: NIO glue only; what it answers is
        // decided by TUFClient's VerifyingIndex (pure of sockets, tested directly).
        .target(name: "TUFIndexServer", dependencies: [
            "TUFClient",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        // The signing core links no networking: publishing to a bucket goes through its
        // `ObjectBucket` protocol, which TUFRepositoryS3 implements on the S3 client.
        .target(name: "TUFRepository", dependencies: ["TUFMetadata", "TUFClient", "TUFFileSystem", "CSQLite"]),
        // Publishing to object storage (S3 API): the SigV4 signer, pure and tested on its own, and
        // the S3 client on the same HTTP client as TUFHTTPClient (NIOSSL: to tell TLS failures,
        // which are not retried, from dropped connections, which are).
        .target(name: "TUFObjectStore", dependencies: [
            "TUFCrypto", "TUFMetadata",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),
        // TUFRepository's buckets on the S3 client: `S3Bucket` and the opening of `s3://` settings.
        .target(name: "TUFRepositoryS3", dependencies: ["TUFRepository", "TUFObjectStore"]),
        // TUFObjectStore: the S3 test servers create their bucket with the client under test.
        .target(name: "TUFTestSupport", dependencies: ["TUFCanonicalJSON", "TUFCrypto", "TUFMetadata", "TUFClient", "TUFObjectStore"]),
        .executableTarget(name: "tuf-repo", dependencies: [
            "TUFRepository", "TUFRepositoryS3", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "tuf-verify", dependencies: [
            "TUFClient", "TUFHTTPClient", "TUFIndexServer", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Benchmark driver for Scripts/bench; not a product.
        .executableTarget(name: "tuf-bench", dependencies: ["TUFCanonicalJSON", "TUFCrypto", "TUFMetadata"]),
        .testTarget(name: "TUFBaseTests", dependencies: ["TUFBase"]),
        .testTarget(name: "TUFCanonicalJSONTests", dependencies: ["TUFCanonicalJSON", "TUFTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "TUFCryptoTests", dependencies: ["TUFCrypto", "TUFTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "TUFMetadataTests", dependencies: ["TUFMetadata", "TUFTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "TUFFileSystemTests", dependencies: ["TUFBase", "TUFFileSystem", "TUFTestSupport"]),
        .testTarget(name: "TUFObjectStoreTests", dependencies: ["TUFObjectStore", "TUFCrypto", "TUFTestSupport"]),
        .testTarget(name: "TUFClientTests", dependencies: ["TUFClient", "TUFRepository", "TUFTestSupport"]),
        .testTarget(name: "TUFHTTPClientTests", dependencies: ["TUFHTTPClient", "TUFClient", "TUFTestSupport"]),
        .testTarget(name: "TUFIndexServerTests", dependencies: ["TUFIndexServer", "TUFClient", "TUFTestSupport"]),
        // The CLI and end-to-end tests run the built binaries; depending on them builds them.
        .testTarget(name: "TUFVerifyCLITests", dependencies: ["TUFClient", "TUFTestSupport", "tuf-verify"]),
        .testTarget(name: "TUFRepositoryTests", dependencies: ["TUFRepository", "TUFClient", "TUFTestSupport", "tuf-repo"]),
        .testTarget(name: "TUFRepositoryS3Tests", dependencies: ["TUFRepositoryS3", "TUFRepository", "TUFObjectStore", "TUFTestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["TUFTestSupport", "TUFClient", "TUFHTTPClient", "TUFRepository", "tuf-repo", "tuf-verify"]),
    ],
    swiftLanguageModes: [.v6]
)
