import Foundation
import Catalog
import Configuration
import XCTest

/// Inputs the `configuration` fuzz target (docs/fuzzing.md) found, and their relatives, kept so the fixes
/// stay fixed: YAML that Yams would recurse or expand into a crash is refused with an error naming it.
final class ConfigurationFuzzRegressionTests: XCTestCase {
    private struct Probe: Decodable {
        var name: String?
        var count: Int?
        var ratio: Double?
        var servers: String?
    }

    private func load(_ yaml: String, environment: [String: String] = [:]) throws -> Probe {
        try ConfigurationLoader(environment: environment).load(Probe.self, yaml: yaml, file: "poller.yaml")
    }

    private func problem(_ yaml: String, environment: [String: String] = [:]) -> ConfigurationError? {
        do {
            _ = try ConfigurationLoader(environment: environment).load(Probe.self, yaml: yaml, file: "poller.yaml")
            return nil
        } catch {
            return error as? ConfigurationError
        }
    }

    /// The fuzzer's input: 2,831 nested `{` overflowed the stack inside Yams's recursive composer.
    func testThousandsOfNestedFlowMappingsAreRefusedNotAStackOverflow() throws {
        let error = try XCTUnwrap(problem(String(repeating: "{", count: 2_831)))
        XCTAssertEqual(error.file, "poller.yaml")
        XCTAssertEqual(error.problem, "nests deeper than \(YAMLLimits.maximumDepth) levels (line 1)")
        XCTAssertNotNil(problem(String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)))
    }

    func testDeepBlockNestingIsRefusedWithItsLine() throws {
        let yaml = (0..<40).map { String(repeating: " ", count: $0) + "k\($0):" }.joined(separator: "\n") + " x\n"
        XCTAssertEqual(try XCTUnwrap(problem(yaml)).problem, "nests deeper than \(YAMLLimits.maximumDepth) levels (line 33)")
    }

    func testAliasesThatExpandToMillionsOfNodesAreRefused() throws {
        var yaml = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1..<9 {
            let previous = "*\(Character(UnicodeScalar(96 + level)!))"
            yaml += "\(Character(UnicodeScalar(97 + level)!)): &\(Character(UnicodeScalar(97 + level)!)) [\(Array(repeating: previous, count: 10).joined(separator: ", "))]\n"
        }
        let error = try XCTUnwrap(problem(yaml))
        XCTAssertTrue(error.problem.hasPrefix("expands to more than \(YAMLLimits.maximumNodes) nodes"), error.problem)
    }

    func testOrdinaryNestingAndAliasesStillLoad() {
        let yaml = """
            defaults: &defaults {retries: 3, backoff: {initial: 1, maximum: [30, 60]}}
            kafka: {a: {b: {c: {d: {e: *defaults}}}}}
            other: *defaults
            name: demo
            """
        XCTAssertNil(problem(yaml))
        XCTAssertNil(YAMLLimits.violation(in: String(repeating: "[", count: YAMLLimits.maximumDepth) + String(repeating: "]", count: YAMLLimits.maximumDepth)))
    }

    func testAnOverrideNamingAVeryDeepKeyOrHoldingDeepYAMLIsRefusedByName() throws {
        let deepName = "IBQ__" + Array(repeating: "A", count: 5_000).joined(separator: "__")
        let error = try XCTUnwrap(problem("name: demo\n", environment: [deepName: "1"]))
        XCTAssertEqual(error.file, "environment")
        XCTAssertEqual(error.key, deepName)
        XCTAssertEqual(error.problem, "names a key 5000 levels deep (at most \(YAMLLimits.maximumDepth))")

        let value = try XCTUnwrap(problem("name: demo\n", environment: ["IBQ__NAME": String(repeating: "{", count: 5_000)]))
        XCTAssertEqual(value.key, "IBQ__NAME")
        XCTAssertTrue(value.problem.hasPrefix("nests deeper than"), value.problem)
    }

    /// The fuzzer's second input: a plain scalar with a dozen colons decoded into an `Int` setting trapped on
    /// overflow inside Yams's base-60 arithmetic.
    func testABase60NumberIsTextSoAnIntegerSettingIsRefusedNotATrap() throws {
        for value in ["1:0:0:0:0:0:0:0:0:0:0:0", "9999999999999999:1", "+1:-2:3", "1:30"] {
            let error = try XCTUnwrap(problem("count: \(value)\n"), value)
            XCTAssertEqual(error.key, "count", value)
            let overridden = try XCTUnwrap(problem("name: demo\n", environment: ["IBQ__COUNT": value]), value)
            XCTAssertEqual(overridden.key, "count", value)
        }
        XCTAssertNotNil(problem("ratio: 1:30\n"))
    }

    func testTextWithColonsAndOrdinaryNumbersReadAsBefore() throws {
        let probe = try load("servers: 10.0.0.1:9092,broker:9093\ncount: 42\nratio: 0.5\nname: 'a:b'\n")
        XCTAssertEqual(probe.servers, "10.0.0.1:9092,broker:9093")
        XCTAssertEqual(probe.count, 42)
        XCTAssertEqual(probe.ratio, 0.5)
        XCTAssertEqual(probe.name, "a:b")
        XCTAssertEqual(try load("name: x\n", environment: ["IBQ__SERVERS": "host:9092", "IBQ__COUNT": "7"]).servers, "host:9092")
    }

    func testAMappingFileIsHeldToTheSameLimits() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("deep-mapping-\(UUID()).yaml").path
        try String(repeating: "{", count: 10_000).write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        XCTAssertThrowsError(try SchemaMapping.load(from: path)) { error in
            XCTAssertTrue("\(error)".contains("nests deeper than"), "\(error)")
        }
    }
}
