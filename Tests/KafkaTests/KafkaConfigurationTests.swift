import XCTest
@testable import Kafka
import Configuration

final class KafkaConfigurationTests: XCTestCase {
    func testAnUnknownPropertyIsReportedByName() {
        let configuration = KafkaConfiguration(bootstrap: "127.0.0.1:1", properties: ["no.such.property": "1"])
        XCTAssertThrowsError(try KafkaProducer(configuration: configuration)) { error in
            guard case KafkaError.configuration(let property, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(property, "no.such.property")
        }
    }

    func testEnforcedSettingsWinOverOperatorProperties() {
        let configuration = KafkaConfiguration(bootstrap: "a:1, b:2", properties: ["acks": "1", "linger.ms": "50"])
        let merged = Dictionary(uniqueKeysWithValues: configuration.librdkafkaProperties(
            defaults: ["linger.ms": "5"], enforced: ["acks": "all"]))
        XCTAssertEqual(merged["acks"], "all")
        XCTAssertEqual(merged["linger.ms"], "50")
        XCTAssertEqual(merged["bootstrap.servers"], "a:1,b:2")
    }
}
