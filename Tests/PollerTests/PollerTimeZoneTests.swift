import Foundation
import Catalog
import Configuration
import Poller
import Sandbox
import Kafka
import RecordContract
import Timestamps
import TestSupport
import XCTest

/// Intacct writes times in the API user's zone without an offset; the envelope must carry true UTC while
/// the filters sent back stay in Intacct's local form.
final class PollerTimeZoneTests: XCTestCase {
    private let pacific = IntacctTimeZone.fixed(offsetSeconds: -8 * 3600)

    func testEveryTimestampFieldOfARowReachesTheEnvelopeInUTC() throws {
        let object = try XCTUnwrap(ObjectCatalog.standard["APBILL"])
        var builder = RecordMessageBuilder(topics: Topics(company: "demo"), entity: "E100", object: object,
                                           fieldTypes: ["APPROVEDAT": .timestamp, "NOTE": .text], timeZone: pacific)
        let row = IntacctRow(fields: [
            RecordField(name: "RECORDNO", value: "7"),
            RecordField(name: "WHENMODIFIED", value: "01/05/2024 22:30:00"),
            RecordField(name: "WHENCREATED", value: "12/31/2023 23:00:00"),
            RecordField(name: "WHENDUE", value: "01/31/2024"),
            RecordField(name: "APPROVEDAT", value: "01/05/2024 09:00:00"),
            RecordField(name: "NOTE", value: "01/05/2024 09:00:00"),
        ])
        let message = try XCTUnwrap(builder.message(for: row, extractedAt: "2024-01-06T07:00:00Z"))
        let envelope = try RecordEnvelope.decode(XCTUnwrap(message.value))
        XCTAssertEqual(envelope.whenModified, "2024-01-06T06:30:00Z")
        let fields = Dictionary(uniqueKeysWithValues: envelope.fields.map { ($0.name, $0.value) })
        XCTAssertEqual(fields["WHENMODIFIED"], "01/06/2024 06:30:00")
        // APBILL's WHENCREATED is the bill's DATE in the catalog: a calendar day, like WHENDUE, left alone.
        XCTAssertEqual(fields["WHENCREATED"], "12/31/2023 23:00:00")
        XCTAssertEqual(fields["APPROVEDAT"], "01/05/2024 17:00:00", "a discovered TIMESTAMP field is converted too")
        // A text field is whatever it says.
        XCTAssertEqual(fields["WHENDUE"], "01/31/2024")
        XCTAssertEqual(fields["NOTE"], "01/05/2024 09:00:00")
    }

    func testATimestampFilterFromAnInstantIsWrittenInTheUsersLocalTime() throws {
        let instant = Date(timeIntervalSince1970: 1_704_477_600)  // 2024-01-05T18:00:00Z
        XCTAssertEqual(QueryFilter.atOrAfter("WHENMODIFIED", instant, in: pacific), .greaterThanOrEqualTo("WHENMODIFIED", "01/05/2024 10:00:00"))
        XCTAssertEqual(try QueryFilter.atOrAfter("WHENMODIFIED", instant, in: .utc).queryString(), "WHENMODIFIED >= '01/05/2024 18:00:00'")
    }

    func testAUTCUserSeesItsValuesPassThroughUntouched() throws {
        let object = try XCTUnwrap(ObjectCatalog.standard["APBILL"])
        var builder = RecordMessageBuilder(topics: Topics(company: "demo"), entity: "E100", object: object)
        let row = IntacctRow(fields: [RecordField(name: "RECORDNO", value: "7"), RecordField(name: "WHENMODIFIED", value: "01/05/2024 22:30:00")])
        let envelope = try RecordEnvelope.decode(XCTUnwrap(builder.message(for: row, extractedAt: "2024-01-06T07:00:00Z")?.value))
        XCTAssertEqual(envelope.whenModified, "2024-01-05T22:30:00Z")
        XCTAssertEqual(envelope.fields.first { $0.name == "WHENMODIFIED" }?.value, "01/05/2024 22:30:00")
    }

    func testTheTimezoneSettingIsValidatedAndNamesItsKey() throws {
        func load(_ line: String) throws -> PollerConfiguration { try OfflinePollerConfiguration.load(intacct: line) }
        XCTAssertThrowsError(try load("timezone: Pacific")) { error in
            XCTAssertTrue("\(error)".contains("timezone"), "\(error)")
        }
        XCTAssertEqual(try load("timezone: \"-08:00\"").intacct.timeZone, pacific)
        XCTAssertEqual(try load("timezone: UTC").intacct.timeZone, .utc)
        XCTAssertNil(try load("").intacct.timeZone)
    }

    /// Today's sandbox serves UTC, so the Pacific setting makes the poller read the sandbox's text as
    /// Pacific local time: every envelope must then be eight hours later than the text, while the
    /// watermark (and so the next filter) stays the sandbox's own text, and a second poll after changes
    /// loses nothing and shifts nothing twice. (The overlap re-read may publish a version again; the
    /// loader's insert ids make that harmless, so versions are counted at least once here.)
    func testWithAPacificUserEnvelopesCarryTrueUTCAndIncrementalPollsLoseAndDoubleNothing() async throws {
        try await PollerHarness.with(scale: 2_000) { harness in
            let yaml = harness.yaml(objects: ["- APBILL"])
                .replacingOccurrences(of: "intacct:\n", with: "intacct:\n  timezone: \"-08:00\"\n")
            let runtime = try await harness.runtime(yaml)
            let first = await runtime.coordinator.run(runtime.coordinator.targets, trigger: "test")
            XCTAssertTrue(first.allSatisfy(\.succeeded))
            harness.sandbox.advanceClock(seconds: 3600)
            let changed = try harness.sandbox.mutate(object: "APBILL", entity: "E200", modify: 5, delete: 0)
            let second = await runtime.coordinator.run(runtime.coordinator.targets, trigger: "test")
            await runtime.close()
            XCTAssertTrue(second.allSatisfy(\.succeeded))
            XCTAssertEqual(changed.modified.count, 5)

            for entity in PollerHarness.entities {
                let expected = try harness.sandbox.records(object: "APBILL", entity: entity).filter { !$0.deleted }
                // The watermark keeps Intacct's local text: the filter sent back is in Intacct's form.
                let newest = try XCTUnwrap(expected.map(\.whenmodified).max { pacific.date(fromLocal: $0)! < pacific.date(fromLocal: $1)! })
                let report = try XCTUnwrap(second.first { $0.target.hasPrefix(entity) })
                XCTAssertEqual(report.watermarkAfter?.whenModified, newest, entity)

                var seen: [String: Int] = [:]
                for message in try await harness.messages([harness.topic(entity, "APBILL")]) {
                    guard let value = message.value else { continue }
                    let envelope = try RecordEnvelope.decode(value)
                    seen["\(envelope.recordNo)|\(envelope.whenModified)", default: 0] += 1
                    // The field and the envelope agree: both are UTC.
                    let field = try XCTUnwrap(envelope.fields.first { $0.name == "WHENMODIFIED" }?.value)
                    XCTAssertEqual(IntacctTimestamp.rfc3339(fromIntacct: field), envelope.whenModified)
                }
                for record in expected {
                    let local = try XCTUnwrap(IntacctTimestamp.parse(record.whenmodified))
                    let utc = IntacctTimestamp.iso8601(local.addingTimeInterval(8 * 3600))
                    XCTAssertGreaterThanOrEqual(seen["\(record.recordno)|\(utc)"] ?? 0, 1, "\(entity) APBILL \(record.recordno) at \(utc)")
                    let unshifted = IntacctTimestamp.iso8601(local)
                    XCTAssertNil(seen["\(record.recordno)|\(unshifted)"], "\(entity) APBILL \(record.recordno) published in local time")
                }
            }
        }
    }

    // Waiting for the sandbox: with `sandbox --timezone -08:00` (the sandbox-objects branch) the session's
    // sessiontimestamp carries -08:00 and every time is served in local form; the poller then learns the
    // zone from the session with no setting. `SandboxConfiguration` has no zone yet, so this test is
    // written against the session path it can reach today: a login response stating -08:00.
    func testTheZoneIsLearnedFromTheSessionTimestampsOffset() throws {
        let xml = """
        <?xml version="1.0" encoding="UTF-8"?>
        <response><control><status>success</status><senderid>s</senderid><controlid>c</controlid><uniqueid>false</uniqueid><dtdversion>3.0</dtdversion></control>
        <operation><authentication><status>success</status><userid>u</userid><companyid>DEMO</companyid><locationid></locationid>
        <sessiontimestamp>2024-01-05T10:00:00-08:00</sessiontimestamp><sessiontimeout>2024-01-05T11:00:00-08:00</sessiontimeout></authentication>
        <result><status>success</status><function>getAPISession</function><controlid>f-1</controlid>
        <data><api><sessionid>S-1</sessionid><endpoint>https://api.intacct.com/ia/xml/xmlgw.phtml</endpoint><locationid></locationid></api></data>
        </result></operation></response>
        """
        let response = try IntacctResponseReader().read(Data(xml.utf8))
        let stamp = try XCTUnwrap(response.authentication?.sessionTimestamp)
        XCTAssertEqual(IntacctTimeZone(sessionTimestamp: stamp), pacific)
    }
}
