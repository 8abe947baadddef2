import Foundation
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

    func testAnObjectOutsideTheCatalogIsAcceptedAndWaitsForLookup() throws {
        let config = try load(yaml.replacingOccurrences(of: "- GLACCOUNT", with: "- customer"))
        let object = config.poller.objects[0].object
        XCTAssertEqual(object.name, "CUSTOMER")
        XCTAssertTrue(object.awaitsDiscovery, "its fields come from lookup")
        XCTAssertEqual(object.level, .top)
        XCTAssertEqual(object.keyField, "RECORDNO")
    }

    func testAnObjectNameThatCannotBeATopicFailsStartUpNamingTheKey() {
        XCTAssertThrowsError(try load(yaml.replacingOccurrences(of: "- GLACCOUNT", with: "- GL.ACCOUNT"))) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("poller.yaml: poller.objects[0]: object name \"GL.ACCOUNT\""), text)
        }
    }

    func testAnObjectOutsideTheCatalogWithoutDiscoveryOrAMappingFileFailsStartUp() {
        XCTAssertThrowsError(try load(yaml.replacingOccurrences(of: "- GLACCOUNT", with: "- CUSTOMER") + "\n  discover: false")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("poller.objects"), text)
            XCTAssertTrue(text.contains("CUSTOMER is not in the built-in catalog"), text)
        }
    }

    func testTheMappingFileSetsLevelKeyAndAmountOfAnyObject() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mapping-\(UUID().uuidString).yaml").path
        try """
        objects:
          CUSTOMER: {level: entity, key_field: customerid, amount_field: TOTALDUE}
          GLACCOUNT: {key_field: ACCOUNTNO}
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let config = try load(yaml.replacingOccurrences(of: "- GLACCOUNT", with: "- CUSTOMER\n    - GLACCOUNT") + "\n  mapping_file: \(path)")
        let customer = config.poller.objects[0].object
        XCTAssertEqual(customer.level, .entity)
        XCTAssertEqual(customer.keyField, "CUSTOMERID")
        XCTAssertEqual(customer.amountField, "TOTALDUE")
        let account = config.poller.objects[1].object
        XCTAssertEqual(account.keyField, "ACCOUNTNO")
        XCTAssertFalse(account.awaitsDiscovery, "the catalog's fields stay the defaults")
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
