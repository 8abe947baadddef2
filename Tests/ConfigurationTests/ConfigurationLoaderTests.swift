import Foundation
import Configuration
import XCTest

private struct SampleConfiguration: Decodable, Equatable {
    struct Kafka: Decodable, Equatable {
        var bootstrap_servers: String
        var properties: [String: String]?
    }
    struct Intacct: Decodable, Equatable {
        var sender_id: String
        var sender_password: Secret
        var max_concurrent_requests: Int
    }
    var kafka: Kafka
    var intacct: Intacct
}

final class ConfigurationLoaderTests: XCTestCase {
    private let valid = """
    kafka:
      bootstrap_servers: 127.0.0.1:9092
    intacct:
      sender_id: demo-sender
      sender_password: env:SENDER_PASSWORD
      max_concurrent_requests: 2
    """

    func testAValidFileDecodesWithSecretsFromTheEnvironment() throws {
        let loader = ConfigurationLoader(environment: ["SENDER_PASSWORD": "s3cret"])
        let config = try loader.load(SampleConfiguration.self, yaml: valid, file: "poller.yaml")
        XCTAssertEqual(config.kafka.bootstrap_servers, "127.0.0.1:9092")
        XCTAssertEqual(config.intacct.sender_password.value, "s3cret")
        XCTAssertEqual("\(config.intacct.sender_password)", "<redacted>", "a secret never prints")
    }

    func testAWrongTypeNamesTheFileAndTheKey() {
        let yaml = valid.replacingOccurrences(of: "max_concurrent_requests: 2", with: "max_concurrent_requests: lots")
        XCTAssertThrowsError(try ConfigurationLoader(environment: ["SENDER_PASSWORD": "x"])
            .load(SampleConfiguration.self, yaml: yaml, file: "poller.yaml")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("poller.yaml"), text)
            XCTAssertTrue(text.contains("intacct.max_concurrent_requests"), text)
            XCTAssertTrue(text.contains("whole number"), text)
        }
    }

    func testAMissingKeyNamesTheFileAndTheKey() {
        let yaml = valid.replacingOccurrences(of: "  bootstrap_servers: 127.0.0.1:9092\n", with: "  properties: {}\n")
        XCTAssertThrowsError(try ConfigurationLoader(environment: ["SENDER_PASSWORD": "x"])
            .load(SampleConfiguration.self, yaml: yaml, file: "/etc/ibq/poller.yaml")) { error in
            XCTAssertEqual(error as? ConfigurationError, ConfigurationError(
                file: "/etc/ibq/poller.yaml", key: "kafka.bootstrap_servers", problem: "is required but missing"))
        }
    }

    func testAnUnsetSecretVariableIsNamed() {
        XCTAssertThrowsError(try ConfigurationLoader(environment: [:])
            .load(SampleConfiguration.self, yaml: valid, file: "poller.yaml")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("intacct.sender_password"), text)
            XCTAssertTrue(text.contains("SENDER_PASSWORD is not set"), text)
        }
    }

    func testEnvironmentOverridesWinAndKeepTheirTypes() throws {
        let loader = ConfigurationLoader(environment: [
            "SENDER_PASSWORD": "x",
            "IBQ__KAFKA__BOOTSTRAP_SERVERS": "broker-1:9093",
            "IBQ__INTACCT__MAX_CONCURRENT_REQUESTS": "4",
        ])
        let config = try loader.load(SampleConfiguration.self, yaml: valid, file: "poller.yaml")
        XCTAssertEqual(config.kafka.bootstrap_servers, "broker-1:9093")
        XCTAssertEqual(config.intacct.max_concurrent_requests, 4)
    }

    func testSecretsCanComeFromAFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("secret-\(UUID().uuidString)").path
        try "from-file\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let yaml = valid.replacingOccurrences(of: "env:SENDER_PASSWORD", with: "file:\(path)")
        let config = try ConfigurationLoader(environment: [:]).load(SampleConfiguration.self, yaml: yaml, file: "p.yaml")
        XCTAssertEqual(config.intacct.sender_password.value, "from-file")
    }

    func testAFileThatIsNotYAMLOrMissingIsReported() {
        XCTAssertThrowsError(try ConfigurationLoader().load(SampleConfiguration.self, from: "/nonexistent/x.yaml")) { error in
            XCTAssertTrue("\(error)".hasPrefix("/nonexistent/x.yaml: cannot be read"), "\(error)")
        }
        XCTAssertThrowsError(try ConfigurationLoader().load(SampleConfiguration.self, yaml: "kafka: [unclosed", file: "bad.yaml")) { error in
            XCTAssertTrue("\(error)".contains("bad.yaml: is not valid YAML"), "\(error)")
        }
    }
}
