import Foundation
import Kafka
import Poller
import XCTest

/// A failed stream run's audit record names the system that failed and carries that system's own words.
final class StreamRunFailureAuditTests: XCTestCase {
    private func json(_ record: AuditRecord) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: record.encoded()) as? [String: Any])
    }

    func testAKafkaFailureIsAuditedAsAKafkaErrorWithLibrdkafkasCode() throws {
        let error = KafkaError.rdkafka(code: -192, name: "_MSG_TIMED_OUT", message: "Local: Message timed out",
                                       topic: "intacct.demo.e100.apbill", partition: 2)
        let failure = StreamRunFailure(stage: .incremental, error: error)
        XCTAssertEqual(failure.system, .kafka)
        let record = try json(AuditRecord(failure: failure, runID: "r1", entity: "E100", object: "APBILL", at: "2026-01-31T12:00:00Z"))
        XCTAssertEqual(record["type"] as? String, "kafka_error")
        XCTAssertEqual(record["stage"] as? String, "incremental")
        XCTAssertEqual(record["code"] as? Int, -192)
        XCTAssertEqual(record["code_name"] as? String, "_MSG_TIMED_OUT")
        XCTAssertEqual(record["topic"] as? String, "intacct.demo.e100.apbill")
        XCTAssertEqual(record["partition"] as? Int, 2)
        XCTAssertNil(record["errorno"], "Kafka has no Intacct errorno")
    }

    func testAnIntacctFailureKeepsErrornoDescriptionAndCorrection() throws {
        let detail = IntacctErrorDetail(errorNumber: "BL01001973", description1: "Could not read APBILL",
                                        description2: "Permission denied", correction: "Grant read access.")
        let error = IntacctError.resultFailed(status: "failure", function: "query", controlID: "c-1", object: "APBILL", errors: [detail])
        let failure = StreamRunFailure(stage: .auditTrailDeletes, error: error)
        XCTAssertEqual(failure.system, .intacct)
        let record = try json(AuditRecord(failure: failure, runID: "r1", entity: "E100", object: "APBILL", at: "2026-01-31T12:00:00Z"))
        XCTAssertEqual(record["type"] as? String, "intacct_error")
        XCTAssertEqual(record["stage"] as? String, "audit_trail_deletes")
        XCTAssertEqual(record["errorno"] as? String, "BL01001973")
        XCTAssertEqual(record["correction"] as? String, "Grant read access.")
        XCTAssertEqual(record["control_id"] as? String, "c-1")
    }

    func testTheLogLineCarriesTheSameFactsAsTheAuditRecordAsMetadata() {
        let detail = IntacctErrorDetail(errorNumber: "BL01001973", description1: "Could not read APBILL",
                                        description2: "", correction: "Grant read access.")
        let error = IntacctError.resultFailed(status: "failure", function: "query", controlID: "c-1", object: "APBILL", errors: [detail])
        let intacct = AuditRecord.logMetadata(AuditRecord.members(for: StreamRunFailure(stage: .incremental, error: error)))
        XCTAssertEqual(intacct["errorno"]?.description, "BL01001973")
        XCTAssertEqual(intacct["correction"]?.description, "Grant read access.")
        XCTAssertEqual(intacct["stage"]?.description, "incremental")
        XCTAssertNil(intacct["description2"], "an empty member is left out of the log line")

        let kafka = AuditRecord.logMetadata(AuditRecord.members(for: StreamRunFailure(stage: .incremental, error: KafkaError.rdkafka(
            code: -192, name: "_MSG_TIMED_OUT", message: "Local: Message timed out", topic: "intacct.demo.e100.apbill", partition: 2))))
        XCTAssertEqual(kafka["code_name"]?.description, "_MSG_TIMED_OUT")
        XCTAssertEqual(kafka["partition"]?.description, "2")
        XCTAssertNil(kafka["errorno"])
    }

    func testATopicThatCannotBeReadToItsEndIsAKafkaFailure() throws {
        let failure = StreamRunFailure(stage: .reconciliation, error: PollerError.topicReadTimedOut(topic: "intacct.demo.e100.apbill",
                                                                                                    after: .seconds(60)))
        XCTAssertEqual(failure.system, .kafka)
        let record = try json(AuditRecord(failure: failure, runID: "r1", entity: "E100", object: "APBILL", at: "2026-01-31T12:00:00Z"))
        XCTAssertEqual(record["type"] as? String, "kafka_error")
        XCTAssertEqual(record["topic"] as? String, "intacct.demo.e100.apbill")
        XCTAssertTrue((record["message"] as? String ?? "").contains("took longer than"))
    }
}
