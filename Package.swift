// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "qdrant-backup",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "qdrant-backup", targets: ["qdrant-backup"]),
        .library(name: "QdrantBackupKit", targets: ["QdrantBackupKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // The C libraries, each behind a module map; CCurl adds typed shims for curl's variadic calls.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "CZstd",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"])]
        ),
        // The library core: archive format, Qdrant client, pipelines. No CLI or server code.
        .target(
            name: "QdrantBackupKit",
            dependencies: [
                "CCurl",
                "CZstd",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The REST admin API: routes and background jobs over the same core as the CLI.
        .target(
            name: "QdrantBackupServer",
            dependencies: [
                "QdrantBackupKit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            // The dashboard's readable sources and their generator; the binary carries them as
            // DashboardAssets.swift, so a copied binary needs no files beside it.
            exclude: ["Dashboard/Assets"]
        ),
        // The command-line front end.
        .executableTarget(
            name: "qdrant-backup",
            dependencies: [
                "QdrantBackupKit",
                "QdrantBackupServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The archive reader under libFuzzer, built and run by hand (README "Reliability"); built
        // plainly it replays inputs and writes the seed corpus.
        .executableTarget(
            name: "ArchiveReaderFuzzer",
            dependencies: ["QdrantBackupKit"],
            path: "Fuzz/ArchiveReaderFuzzer"
        ),
        // Starts the loopback servers that tests talk to (the transport test server, the Qdrant stand-in).
        .target(
            name: "TestSupport",
            dependencies: ["QdrantBackupKit", .product(name: "Crypto", package: "swift-crypto")],
            path: "Tests/TestSupport",
            exclude: ["transport_test_server.py", "age_passphrase.py", "s3_test_server.py", "prometheus_samples.py", "requirements.txt"]
        ),
        .testTarget(
            name: "QdrantBackupKitTests",
            dependencies: ["QdrantBackupKit", "TestSupport", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // The server's pure parts (cron expressions) tested in process.
        .testTarget(
            name: "QdrantBackupServerTests",
            dependencies: ["QdrantBackupServer"]
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["QdrantBackupKit", "TestSupport"]
        ),
    ]
)
