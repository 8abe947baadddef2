// swift-tools-version:6.0
import Foundation
import PackageDescription

// SwiftPM names a path dependency after its directory, which is the clone's name (e.g. a worktree's), so
// the identity is computed rather than written down.
let mainPackage = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().lastPathComponent.lowercased()
let library = Target.Dependency.product(name: "IntacctBigQueryFuzzing", package: mainPackage)

// libFuzzer targets for intacct-bigquery's public entry points. A separate package so that the main
// package's build and tests never see sanitizer flags or main-less executables: `scripts/fuzz` builds it
// with `-sanitize=fuzzer,address` in its own scratch directory, and the flags reach the library code too,
// so coverage guides the fuzzer through it. See docs/fuzzing.md.
let package = Package(
    name: "intacct-bigquery-fuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: "../.."),
        // Already a dependency of the main package; named here because the configuration target uses it.
        .package(url: "https://github.com/jpsim/Yams.git", from: "5.0.0"),
    ],
    targets: [
        // The fuzz input formats (a header block, then the bytes under test), shared by the targets.
        .target(name: "FuzzInput"),
        .executableTarget(name: "FuzzIntacctResponse", dependencies: ["FuzzInput", library]),
        .executableTarget(name: "FuzzLoaderMessage", dependencies: ["FuzzInput", library]),
        .executableTarget(name: "FuzzConfiguration", dependencies: [
            "FuzzInput", library, .product(name: "Yams", package: "Yams"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
