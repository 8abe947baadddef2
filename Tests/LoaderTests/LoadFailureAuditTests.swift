import Foundation
import DevBroker
import Kafka
import RecordContract
import TestSupport
import XCTest
@testable import Loader

/// A worker that stops on a failure says, in the audit topic, which system failed and with what.
final class LoadFailureAuditTests: XCTestCase {
    private func members(_ failure: LoadFailure) throws -> [String: Any] {
        let value = try XCTUnwrap(failure.message(company: "Demo").value)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: value) as? [String: Any])
    }

    func testABigQueryFailureIsABigQueryErrorRowWithStatusReasonAndLocation() throws {
        let error = BigQueryError(kind: .http, operation: "tabledata.insertAll ds.apbill", status: 403, reason: "quotaExceeded",
                                  message: "Quota exceeded", location: "apbill", isRetryable: true)
        let failure = LoadFailure(error, worker: "w1", entity: "E100")
        let message = failure.message(company: "Demo")
        XCTAssertEqual(message.topic, "intacct.demo._audit")
        let json = try members(failure)
        XCTAssertEqual(json["type"] as? String, "bigquery_error")
        XCTAssertEqual(json["source"] as? String, "loader")
        XCTAssertEqual(json["http_status"] as? Int, 403)
        XCTAssertEqual(json["reason"] as? String, "quotaExceeded")
        XCTAssertEqual(json["location"] as? String, "apbill")
        XCTAssertEqual(json["operation"] as? String, "tabledata.insertAll ds.apbill")
        XCTAssertEqual(json["retryable"] as? Bool, true)
    }

    func testAKafkaFailureIsAKafkaErrorRowWithLibrdkafkasCode() throws {
        let error = KafkaError.rdkafka(code: -185, name: "_TIMED_OUT", message: "Local: Timed out", topic: "intacct.demo._dlq", partition: 0)
        let json = try members(LoadFailure(error, worker: "w1", entity: "E100"))
        XCTAssertEqual(json["type"] as? String, "kafka_error")
        XCTAssertEqual(json["code"] as? Int, -185, "librdkafka's number, as the poller's kafka_error records carry it")
        XCTAssertEqual(json["code_name"] as? String, "_TIMED_OUT")
        XCTAssertEqual(json["topic"] as? String, "intacct.demo._dlq")
        XCTAssertEqual(json["partition"] as? Int, 0)
    }

    func testTheAuditTableKeepsTheFailuresTypeAsItsTypeColumn() throws {
        let failure = LoadFailure(CancellationError(), worker: "w1", entity: "E100")
        let outgoing = failure.message(company: "demo")
        let message = KafkaMessage(topic: outgoing.topic, partition: 0, offset: 7, key: outgoing.key, value: outgoing.value)
        let row = try AuditTable.row(for: message, loadedAt: Date())
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: row.json) as? [String: Any])
        XCTAssertEqual(json["type"] as? String, "loader_error")
        XCTAssertEqual(json["source"] as? String, "loader")
    }

    func testAWorkerThatCannotReachBigQueryWritesABigQueryErrorToTheAuditTopic() async throws {
        // BigQuery behind a proxy that answers every call with an HTML 503: no Google error JSON at all.
        let stub = try await StubBigQuery.start { _ in (503, "<html><body>upstream unavailable</body></html>") }
        let broker = try DevBroker()
        let company = PublishedCompany(entities: ["E100"], objects: ["APBILL"], topObjects: [], recordsPerObject: 5)
        // A poller record first, so the audit topic exists before anyone subscribes to it.
        let pollerRun = Data(#"{"type":"object_run","run_id":"run-1","entity":"E100","object":"APBILL","at":"2026-01-31T12:00:00Z"}"#.utf8)
        try await publish([KafkaOutgoingMessage(topic: Topics(company: "demo").audit, key: "E100/APBILL/run-1", value: pollerRun)]
                          + company.messages, to: broker.bootstrapServers)
        let loader = try InProcessLoader(
            configuration: loaderConfiguration(bootstrap: broker.bootstrapServers, emulator: "127.0.0.1:\(stub.port)",
                                               dataset: uniqueDatasetName("ibq_failaudit"), audit: true, writeAPI: .insertAll),
            entity: "E100")

        let consumer = try KafkaConsumer(configuration: KafkaConfiguration(bootstrap: broker.bootstrapServers, properties: [
            "session.timeout.ms": "6000", "heartbeat.interval.ms": "500",
        ]), groupID: "audit-reader-\(UUID())", autoOffsetReset: .earliest, logger: quietLogger())
        try consumer.subscribe(topics: [Topics(company: "demo").audit])
        // Both of the process's workers face the same BigQuery: the E100 one and, with `audit: true`, the
        // `_audit` one; each reports its own outage.
        var failures: [[String: Any]] = []
        try await eventually("a bigquery_error from the E100 worker on the audit topic", timeout: .seconds(60)) {
            for message in try await consumer.poll(timeout: .milliseconds(200)) {
                guard let value = message.value, let json = try JSONSerialization.jsonObject(with: value) as? [String: Any],
                      json["type"] as? String == "bigquery_error" else { continue }
                failures.append(json)
            }
            return failures.contains { $0["entity"] as? String == "E100" }
        }
        try await consumer.close()
        try await loader.stop()
        await stub.stop()

        XCTAssertEqual(Set(failures.compactMap { $0["entity"] as? String }).subtracting(["E100", "_audit"]), [],
                       "the entity is the subsidiary as the poller's records spell it (or the audit scope), never a group id")
        let json = try XCTUnwrap(failures.first { $0["entity"] as? String == "E100" })
        XCTAssertEqual(json["source"] as? String, "loader")
        XCTAssertEqual(json["http_status"] as? Int, 503)
        XCTAssertEqual(json["error_kind"] as? String, "http")
        XCTAssertEqual(json["retryable"] as? Bool, true)
        XCTAssertEqual(json["body_excerpt"] as? String, "<html><body>upstream unavailable</body></html>")
        XCTAssertTrue(json["reason"] is NSNull, "an HTML page has no Google reason, and none is invented")
    }
}
