import Poller
import Configuration
import XCTest

final class PollerConfigurationTests: XCTestCase {
    private let yaml = """
    company: DEMO
    kafka:
      bootstrap_servers: 127.0.0.1:9092
    intacct:
      endpoint: http://127.0.0.1:8080/ia/xml/xmlgw.phtml
      sender_id: demo-sender
      sender_password: env:SENDER_PASSWORD
      user_id: api_user
      company_id: DEMO
      user_password: user-secret
    poller:
      entities: [E100, E200]
      objects:
        - GLACCOUNT
        - name: APBILL
          schedule: "*/5 * * * *"
          deletes: reconciliation
    """

    private func load(_ text: String) throws -> PollerConfiguration {
        try ConfigurationLoader(environment: ["SENDER_PASSWORD": "pw"]).load(PollerConfiguration.self, yaml: text, file: "poller.yaml")
    }

    func testAValidFileGetsItsDefaults() throws {
        let config = try load(yaml)
        XCTAssertEqual(config.poller.objects.map(\.object.name), ["GLACCOUNT", "APBILL"])
        XCTAssertEqual(config.poller.objects[1].deletes, .reconciliation)
        XCTAssertEqual(config.poller.objects[1].schedule, .cron(try CronExpression("*/5 * * * *")))
        XCTAssertEqual(config.poller.overlap, .seconds(300))
        XCTAssertEqual(config.intacct.maxConcurrentRequests, 2)
        XCTAssertEqual(config.intacct.senderPassword.value, "pw")
        guard case .closeCycle = config.poller.schedule else { return XCTFail("the default schedule follows the close") }
    }

    func testAnUnknownObjectFailsStartUpNamingTheKey() {
        XCTAssertThrowsError(try load(yaml.replacingOccurrences(of: "- GLACCOUNT", with: "- GLACOUNT"))) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("poller.yaml: poller.objects[0]: unknown object GLACOUNT"), text)
        }
    }

    func testABadCronFailsStartUpNamingTheKey() {
        XCTAssertThrowsError(try load(yaml.replacingOccurrences(of: "*/5 * * * *", with: "*/5 * * *"))) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("poller.objects[1].schedule"), text)
            XCTAssertTrue(text.contains("needs 5 fields"), text)
        }
    }

    func testEntityObjectsNeedEntities() {
        XCTAssertThrowsError(try load(yaml.replacingOccurrences(of: "  entities: [E100, E200]\n", with: ""))) { error in
            XCTAssertTrue("\(error)".contains("poller.entities: must list the subsidiaries"), "\(error)")
        }
    }

    func testACloseCycleScheduleIsRead() throws {
        let text = yaml.replacingOccurrences(of: "  objects:", with: """
          schedule:
            close_cycle: {business_days_before: 2, business_days_after: 4, every_minutes: 10, otherwise: "0 1 * * *"}
          objects:
        """)
        let config = try load(text)
        XCTAssertEqual(config.poller.schedule, .closeCycle(CloseCycleSchedule(
            businessDaysBefore: 2, businessDaysAfter: 4, closeInterval: .seconds(600), otherwise: try CronExpression("0 1 * * *"))))
    }
}
