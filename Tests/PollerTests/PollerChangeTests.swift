import Foundation
import Poller
import Sandbox
import Kafka
import RecordContract
import Timestamps
import TestSupport
import XCTest

final class PollerChangeTests: XCTestCase {
    func testRecordsModifiedAndDeletedBetweenPollsArriveAsNewVersionsAndTombstones() async throws {
        try await PollerHarness.with(scale: 5_000) { harness in
            let yaml = harness.yaml(objects: ["- APBILL", "- name: APPYMT\n      deletes: reconciliation", "- GLDETAIL"])
            let first = try await harness.runtime(yaml)
            let firstReports = await first.coordinator.run(first.coordinator.targets, trigger: "test")
            XCTAssertTrue(firstReports.allSatisfy(\.succeeded))

            harness.sandbox.advanceClock(seconds: 3600)
            let bills = try harness.sandbox.mutate(object: "APBILL", entity: "E100", modify: 4, delete: 2)
            let details = try harness.sandbox.mutate(object: "GLDETAIL", entity: "E200", modify: 2, delete: 1)
            let payments = try harness.sandbox.mutate(object: "APPYMT", entity: "E300", modify: 0, delete: 2)

            let reports = await first.coordinator.run(first.coordinator.targets, trigger: "test", reconcile: { _ in true })
            await first.close()
            for report in reports { XCTAssertNil(report.failure, report.target) }

            let messages = try await harness.messages([harness.topic("E100", "APBILL"), harness.topic("E200", "GLDETAIL"), harness.topic("E300", "APPYMT")])
            func last(_ entity: String, _ object: String, _ recordNo: String) -> KafkaMessage? {
                messages.last { $0.keyString == "\(harness.company)/\(entity)/\(object)/\(recordNo)" }
            }
            for recordNo in bills.modified {
                let envelope = try RecordEnvelope.decode(XCTUnwrap(last("E100", "APBILL", recordNo)?.value, recordNo))
                XCTAssertEqual(envelope.whenModified, IntacctTimestamp.iso8601(IntacctTimestamp.parse(harness.sandbox.now)!))
            }
            for recordNo in bills.deleted {
                let tombstone = try XCTUnwrap(last("E100", "APBILL", recordNo))
                XCTAssertNil(tombstone.value)
                XCTAssertEqual(tombstone.header(RecordEnvelope.Header.deleteReason)?.value, Data("audit-trail".utf8))
                XCTAssertNotNil(tombstone.header(RecordEnvelope.Header.deletedAt))
            }
            // GLDETAIL keys are composite strings; the modified lines arrive and the deleted ones are tombstoned.
            for recordNo in details.modified + (details.cascaded["GLDETAIL"] ?? []) {
                XCTAssertNotNil(last("E200", "GLDETAIL", recordNo), recordNo)
            }
            for recordNo in details.deleted {
                XCTAssertNil(try XCTUnwrap(last("E200", "GLDETAIL", recordNo), recordNo).value)
            }
            // APPYMT relies on reconciliation: its deleted keys are tombstoned with that reason.
            for recordNo in payments.deleted {
                let tombstone = try XCTUnwrap(last("E300", "APPYMT", recordNo), recordNo)
                XCTAssertNil(tombstone.value)
                XCTAssertEqual(tombstone.header(RecordEnvelope.Header.deleteReason)?.value, Data("reconciliation".utf8))
            }
            try await harness.assertTopicsMatchSandbox(allowDuplicates: true, streams: [("E100", "APBILL"), ("E200", "GLDETAIL"), ("E300", "APPYMT")])
        }
    }
}
