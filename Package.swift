// swift-tools-version:6.0
import PackageDescription

// One package, one binary. The C libraries are the platform's own (found by pkg-config);
// Swift packages only where they carry their weight — see ../shared/DESIGN.md.
let package = Package(
    name: "intacct-bigquery",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "intacct-bigquery", targets: ["CLI"]),
        // Only for the fuzz package in Fuzz/Harnesses, which depends on this one by path and can only
        // reach products; nothing else links it.
        .library(name: "IntacctBigQueryFuzzing", targets: ["Shared", "Poller", "Loader"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "5.0.0"),
        .package(url: "https://github.com/swhitty/FlyingFox.git", from: "0.20.0"),
    ],
    targets: [
        // C libraries, wrapped at the edge: only Shared/Kafka, Shared/HTTP, Shared/Crypto and Poller/XML import them.
        .systemLibrary(name: "CRdKafka", pkgConfig: "rdkafka", providers: [.apt(["librdkafka-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),

        .target(
            name: "Shared",
            dependencies: [
                "CRdKafka", "CCurl", "COpenSSL",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "FlyingFox", package: "FlyingFox"),
            ],
            swiftSettings: commonSettings
        ),
        .target(
            name: "Poller",
            dependencies: [
                "Shared", "CXML2",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: commonSettings
        ),
        .target(
            name: "Loader",
            dependencies: [
                "Shared",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: commonSettings
        ),
        .target(
            name: "Sandbox",
            dependencies: ["Shared", .product(name: "FlyingFox", package: "FlyingFox")],
            swiftSettings: commonSettings
        ),
        .executableTarget(
            name: "CLI",
            dependencies: [
                "Shared", "Poller", "Loader", "Sandbox",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: commonSettings
        ),
        .executableTarget(
            name: "Benchmarks",
            dependencies: ["Shared", "Poller", "Loader", "Sandbox"],
            path: "Benchmarks",
            swiftSettings: commonSettings
        ),

        // Issue #10's fault matrix (scripts/faults): whole-pipeline scenarios with one fault each, audited per key.
        .executableTarget(
            name: "FaultMatrix",
            dependencies: ["Shared", "Loader", "Sandbox", "TestSupport", .product(name: "Logging", package: "swift-log")],
            path: "FaultMatrix",
            swiftSettings: commonSettings
        ),

        // Helpers for tests only: locating the dev services, waiting on conditions with a deadline.
        .target(name: "TestSupport", dependencies: ["Shared"], path: "Tests/TestSupport", swiftSettings: commonSettings),
        .testTarget(
            name: "SharedTests",
            dependencies: ["Shared", "TestSupport", .product(name: "FlyingFox", package: "FlyingFox")],
            swiftSettings: commonSettings
        ),
        .testTarget(name: "PollerTests", dependencies: ["Poller", "Sandbox", "TestSupport"], swiftSettings: commonSettings),
        .testTarget(name: "LoaderTests", dependencies: ["Loader", "Sandbox", "TestSupport"], swiftSettings: commonSettings),
        .testTarget(name: "SandboxTests", dependencies: ["Sandbox", "TestSupport"], swiftSettings: commonSettings),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["Shared", "Poller", "Loader", "Sandbox", "TestSupport"],
            swiftSettings: commonSettings
        ),
    ],
    swiftLanguageModes: [.v5]
)

// Language mode 5 with complete concurrency checking would be ideal; the C callbacks of librdkafka and
// libcurl make strict mode noisy, so the C edge is audited by hand and the rest keeps to actors and Sendable.
var commonSettings: [SwiftSetting] { [] }
