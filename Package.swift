// swift-tools-version:6.0
import PackageDescription

// One package, one binary. The C libraries are the platform's own (found by pkg-config); Swift packages
// only where they carry their weight — see ../shared/DESIGN.md. The targets are the architecture: each
// module is one concern, each C library is reachable from exactly one module, and the graph below makes
// Poller ↔ Loader and Sandbox → Poller/Loader impossible. `scripts/test` builds with
// `--explicit-target-dependency-import-check error`, so a module cannot import what it does not declare.
let package = Package(
    name: "intacct-bigquery",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "intacct-bigquery", targets: ["CLI"]),
        // Only for the fuzz package in Fuzz/Harnesses, which depends on this one by path and can only
        // reach products; nothing else links it.
        .library(name: "IntacctBigQueryFuzzing", targets: ["Configuration", "Catalog", "RecordContract", "Kafka", "HTTP", "Poller", "Loader"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "5.0.0"),
        .package(url: "https://github.com/swhitty/FlyingFox.git", from: "0.20.0"),
        // The BigQuery Storage Write API only (gRPC over HTTP/2; protobuf rows).
        .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
    ],
    targets: [
        // C libraries, each wrapped by one module: Kafka (and the dev broker), HTTP, Cryptography, Poller/XML.
        .systemLibrary(name: "CRdKafka", pkgConfig: "rdkafka", providers: [.apt(["librdkafka-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        // zlib (already on the machine as libcurl's dependency): only the sandbox's gzip answers use it.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        // Pure Swift: civil dates, Intacct's and RFC 3339 timestamps.
        .target(name: "Timestamps"),
        // OpenSSL: SHA-256, RS256, RSA keys, JSON Web Tokens.
        .target(name: "Cryptography", dependencies: ["COpenSSL"]),
        // YAML files with environment overrides and secrets, validated with errors that name file and key.
        .target(name: "Configuration", dependencies: [.product(name: "Yams", package: "Yams")]),
        // Intacct's data model as both sides read it: objects, field types, mappings, record-number order.
        .target(name: "Catalog", dependencies: ["Configuration", .product(name: "Yams", package: "Yams")]),
        // What crosses Kafka: the envelope, its hash, key and topic names, the JSON it is written in.
        .target(name: "RecordContract", dependencies: ["Catalog", "Timestamps", "Cryptography"]),
        // librdkafka behind Swift values; its C calls live here and nowhere else in production code.
        .target(name: "Kafka", dependencies: ["CRdKafka", "Configuration", .product(name: "Logging", package: "swift-log")]),
        // libcurl behind one async client.
        .target(name: "HTTP", dependencies: ["CCurl"]),
        // Logging, metrics, health endpoints and retry backoff for every long-running command.
        .target(
            name: "Operations",
            dependencies: [
                "RecordContract", "Timestamps",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "FlyingFox", package: "FlyingFox"),
            ]
        ),
        .target(
            name: "Poller",
            dependencies: [
                "RecordContract", "Catalog", "Timestamps", "Configuration", "Kafka", "HTTP", "Operations", "CXML2",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // google.cloud.bigquery.storage.v1 as generated from proto/ by scripts/generate-protos (committed;
        // builds never run the generator).
        .target(
            name: "BigQueryStorageAPI",
            dependencies: [
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        // The loader's logic without a network stack of its own: routing envelopes to typed rows (insertAll
        // JSON and protobuf bytes), batching, BigQuery's REST API, skip-by-offset, dead letters, the workers.
        .target(
            name: "Loader",
            dependencies: [
                "RecordContract", "Catalog", "Timestamps", "Configuration", "Kafka", "HTTP", "Cryptography", "Operations",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        // The BigQuery Storage Write API: the gRPC client, its streams, and the loader's row sink on them.
        // Apart from Loader so that whatever needs only the loader's logic (the fuzz targets) builds
        // without SwiftNIO, gRPC and BoringSSL.
        .target(
            name: "StorageWrite",
            dependencies: [
                "Loader", "BigQueryStorageAPI",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        // A loader process: its clients, sink, workers and operations server, as `load` runs them.
        .target(
            name: "LoaderProcess",
            dependencies: [
                "Loader", "StorageWrite", "RecordContract", "Catalog", "Configuration", "Kafka", "Operations",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // Local stand-ins, never on a production code path.
        // The Intacct company: no Kafka, libcurl or OpenSSL (zlib only, to gzip answers as the gateway does).
        .target(name: "Sandbox", dependencies: ["Catalog", "Timestamps", "CZlib", .product(name: "FlyingFox", package: "FlyingFox")]),
        // Google's OAuth token endpoint (verifies RS256 assertions) and a BigQuery proxy behind it.
        .target(name: "TokenServer", dependencies: ["Cryptography", "HTTP", .product(name: "FlyingFox", package: "FlyingFox")]),
        // librdkafka's mock cluster as a real TCP broker.
        .target(name: "DevBroker", dependencies: ["CRdKafka"]),

        .executableTarget(
            name: "CLI",
            dependencies: [
                "Poller", "Loader", "LoaderProcess", "Sandbox", "TokenServer", "DevBroker",
                "RecordContract", "Catalog", "Configuration", "Kafka", "HTTP", "Operations", "Timestamps",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "Benchmarks",
            dependencies: ["Poller", "Loader", "StorageWrite", "LoaderProcess", "Sandbox", "DevBroker", "RecordContract",
                           "Configuration", "Kafka", "HTTP", "BigQueryStorageAPI", .product(name: "Logging", package: "swift-log"),
                           .product(name: "GRPCCore", package: "grpc-swift-2"),
                           .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport")],
            path: "Benchmarks",
            exclude: ["Peers"]  // the Python peers the benchmarks run beside ours
        ),

        // Issue #10's fault matrix (scripts/faults): whole-pipeline scenarios with one fault each, audited per key.
        .executableTarget(
            name: "FaultMatrix",
            dependencies: ["Loader", "Sandbox", "TokenServer", "RecordContract", "Configuration", "Kafka", "HTTP", "TestSupport",
                           .product(name: "Logging", package: "swift-log")],
            path: "FaultMatrix"
        ),

        // Helpers for tests only: locating the dev services, waiting on conditions with a deadline.
        .target(name: "TestSupport", dependencies: ["Operations"], path: "Tests/TestSupport"),
        .testTarget(name: "CatalogTests", dependencies: ["Catalog", "Configuration"]),
        .testTarget(name: "ConfigurationTests", dependencies: ["Configuration", "Catalog"]),
        .testTarget(name: "RecordContractTests", dependencies: ["RecordContract", "Catalog", "Cryptography"]),
        .testTarget(name: "TimestampsTests", dependencies: ["Timestamps"]),
        .testTarget(name: "OperationsTests", dependencies: ["Operations"]),
        .testTarget(name: "KafkaTests", dependencies: ["Kafka", "DevBroker", "Configuration", "TestSupport",
                                                        .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "TestSupport", .product(name: "FlyingFox", package: "FlyingFox")]),
        .testTarget(name: "PollerTests", dependencies: ["Poller", "Sandbox", "DevBroker", "RecordContract", "Catalog", "Timestamps",
                                                         "Configuration", "Kafka", "HTTP", "Operations", "TestSupport",
                                                         .product(name: "Logging", package: "swift-log"),
                                                         .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")]),
        .testTarget(name: "LoaderTests", dependencies: ["Loader", "StorageWrite", "LoaderProcess", "Sandbox", "TokenServer", "DevBroker",
                                                         "RecordContract", "Catalog", "Timestamps", "Configuration", "Kafka", "HTTP", "Cryptography", "Operations",
                                                         "TestSupport", "BigQueryStorageAPI", .product(name: "Logging", package: "swift-log"),
                                                         .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                                                         .product(name: "GRPCCore", package: "grpc-swift-2"),
                                                         .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                                                         .product(name: "SwiftProtobuf", package: "swift-protobuf")]),
        .testTarget(name: "SandboxTests", dependencies: ["Sandbox", "HTTP", "TestSupport"]),
        .testTarget(name: "TokenServerTests", dependencies: ["TokenServer", "Cryptography", "TestSupport",
                                                             .product(name: "FlyingFox", package: "FlyingFox")]),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["Poller", "Loader", "LoaderProcess", "Sandbox", "TokenServer", "DevBroker", "RecordContract", "Catalog",
                           "Configuration", "Kafka", "HTTP", "Operations", "TestSupport", .product(name: "Logging", package: "swift-log")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
