import Foundation
@testable import Kafka
import Configuration
import XCTest

final class KafkaSettingsTests: XCTestCase {
    private func load(_ yaml: String, environment: [String: String] = [:]) throws -> KafkaSettings {
        struct Root: Decodable { var kafka: KafkaSettings }
        return try ConfigurationLoader(environment: environment).load(Root.self, yaml: yaml, file: "fleet.yaml").kafka
    }

    func testSASLOverTLSBecomesLibrdkafkaPropertiesWithSecretsResolved() throws {
        let settings = try load("""
        kafka:
          bootstrap_servers: b1:9093,b2:9093
          security: {protocol: SASL_SSL, sasl_mechanism: SCRAM-SHA-512, username: loader, password: env:KAFKA_PASSWORD, ca_file: /etc/ca.pem}
          properties: {socket.keepalive.enable: "true", sasl.username: override}
        """, environment: ["KAFKA_PASSWORD": "pw"])
        let properties = Dictionary(settings.configuration(clientID: "test").librdkafkaProperties(), uniquingKeysWith: { $1 })
        XCTAssertEqual(properties["security.protocol"], "SASL_SSL")
        XCTAssertEqual(properties["sasl.mechanisms"], "SCRAM-SHA-512")
        XCTAssertEqual(properties["sasl.password"], "pw")
        XCTAssertEqual(properties["sasl.username"], "override", "explicit properties win")
        XCTAssertEqual(properties["ssl.ca.location"], "/etc/ca.pem")
        XCTAssertEqual(properties["bootstrap.servers"], "b1:9093,b2:9093")
        XCTAssertFalse("\(settings)".contains("pw\""), "the password never prints")
    }

    func testIncompleteSecurityIsRefusedNamingTheKey() {
        for (security, expected) in [
            ("{protocol: SASL_SSL, username: u, password: p}", "kafka.security.sasl_mechanism: is required"),
            ("{protocol: SASL_PLAINTEXT, sasl_mechanism: PLAIN, password: p}", "kafka.security.username: is required"),
            ("{protocol: PLAINTEXT, ca_file: /ca.pem}", "kafka.security.protocol: is PLAINTEXT, but TLS files"),
            ("{protocol: TLS}", "kafka.security.protocol"),
        ] {
            XCTAssertThrowsError(try load("kafka:\n  bootstrap_servers: b:9092\n  security: \(security)\n")) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(security): \(error)")
            }
        }
    }
}
