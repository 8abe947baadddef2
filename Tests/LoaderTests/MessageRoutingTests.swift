import Foundation
import Kafka
import RecordContract
import XCTest
@testable import Loader

final class MessageRoutingTests: XCTestCase {
    private let router = MessageRouter(company: "demo")
    private let topic = "intacct.demo.e100.apbill"

    func testATombstoneBecomesADeletedRowVersionedByItsDeletedAtHeader() throws {
        let message = KafkaMessage(topic: topic, partition: 2, offset: 7, key: Data("demo/E100/APBILL/42".utf8), value: nil,
                                   headers: [KafkaHeader(name: RecordEnvelope.Header.deletedAt, string: "2026-01-31T14:00:00Z")])
        guard case let .row(table, row) = router.route(message) else { return XCTFail("expected a row") }
        XCTAssertEqual(table, "apbill")
        XCTAssertEqual(row.row?.insertID, InsertID.forTombstone(key: "demo/E100/APBILL/42", deletedAt: "2026-01-31T14:00:00Z"))
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: XCTUnwrap(row.row).json) as? [String: Any])
        XCTAssertEqual(json["_deleted"] as? Bool, true)
        XCTAssertEqual(json["recordno"] as? String, "42")
        XCTAssertEqual(row.source, KafkaCoordinates(topic: topic, partition: 2, offset: 7))
    }

    func testWhatCannotBecomeARowBecomesADeadLetterOfItsTopicsTable() {
        func reason(_ message: KafkaMessage) -> DeadLetter.Reason? {
            if case let .deadLetter(_, letter) = router.route(message) { return letter.reason }
            return nil
        }
        XCTAssertEqual(reason(KafkaMessage(topic: topic, partition: 0, offset: 0, key: nil, value: Data("[1,2]".utf8))), .undecodable)
        XCTAssertEqual(reason(KafkaMessage(topic: topic, partition: 0, offset: 1, key: Data("garbage".utf8), value: nil)), .invalidKey)
        XCTAssertEqual(reason(KafkaMessage(topic: "intacct.demo.e100.nosuchobject", partition: 0, offset: 2, key: nil,
                                           value: Data("{}".utf8))), .unknownObject)
        let glentry = sampleEnvelope(object: "GLENTRY", recordNo: "1", fields: [("RECORDNO", "1")])
        XCTAssertEqual(reason(KafkaMessage(topic: topic, partition: 0, offset: 3, key: nil, value: glentry.encoded())), .invalidKey,
                       "an envelope on another object's topic is not loaded into the wrong table")
    }

    func testAnEnvelopeUnderAnotherRecordsKeyIsADeadLetterNamingBothKeys() throws {
        let envelope = sampleEnvelope(recordNo: "42", fields: [("RECORDNO", "42"), ("TOTALENTERED", "10.00")])
        let value = envelope.encoded()
        let matching = KafkaMessage(topic: topic, partition: 1, offset: 8, key: Data("demo/E100/APBILL/42".utf8), value: value)
        guard case let .row(_, row) = router.route(matching) else { return XCTFail("the envelope's own key loads") }
        XCTAssertEqual(row.recordKey, "demo/E100/APBILL/42")

        for wrong in ["demo/E100/APBILL/43", "demo/E200/APBILL/42", "other/E100/APBILL/42", "demo/E100/apbill/42", ""] {
            let message = KafkaMessage(topic: topic, partition: 1, offset: 9, key: Data(wrong.utf8), value: value)
            guard case let .deadLetter(table, letter) = router.route(message) else { return XCTFail("\(wrong) made a row") }
            XCTAssertEqual(table, "apbill")
            XCTAssertEqual(letter.reason, .invalidKey, wrong)
            XCTAssertTrue(letter.detail.contains("\"demo/E100/APBILL/42\"") && letter.detail.contains("\"\(wrong)\""), letter.detail)
            XCTAssertEqual(letter.key, Data(wrong.utf8), "the dead letter keeps the key it arrived with")
            XCTAssertEqual(letter.original, value)
            XCTAssertEqual(letter.source, KafkaCoordinates(topic: topic, partition: 1, offset: 9))
        }
        let keyless = KafkaMessage(topic: topic, partition: 1, offset: 10, key: nil, value: value)
        guard case let .deadLetter(_, letter) = router.route(keyless) else { return XCTFail("a keyless record made a row") }
        XCTAssertEqual(letter.reason, .invalidKey)
    }

    func testOnTheStorageWritePathARowCarriesItsDecodedEnvelopeAndNoJSON() throws {
        let storage = MessageRouter(company: "demo", rendersInsertAllRows: false)
        let first = sampleEnvelope(recordNo: "42", fields: [("RECORDNO", "42"), ("TOTALENTERED", "10.00"), ("DESCRIPTION", "a")])
        let second = sampleEnvelope(recordNo: "43", fields: [("RECORDNO", "43"), ("TOTALENTERED", "11.00"), ("DESCRIPTION", "b")])
        let messages = [first, second].enumerated().map { index, envelope in
            KafkaMessage(topic: topic, partition: 0, offset: Int64(index), key: Data(envelope.key.description.utf8), value: envelope.encoded())
        }
        let outcomes = storage.route(messages)
        for (outcome, envelope) in zip(outcomes, [first, second]) {
            guard case let .row(table, row) = outcome else { return XCTFail("expected a row: \(outcome)") }
            XCTAssertEqual(table, "apbill")
            XCTAssertNil(row.row, "no insertAll JSON on the Storage Write path")
            XCTAssertEqual(row.envelope, try RecordEnvelope.decode(envelope.encoded()), "the sink encodes from this, without reading the bytes again")
            XCTAssertEqual(row.original, envelope.encoded(), "the bytes as received stay for a dead letter")
            XCTAssertEqual(row.contentSHA256, envelope.contentSHA256)
        }
    }

    func testBatchesOfOneTableLeaveInOrderAndPutBackBatchesGoFirst() {
        var batcher = TableBatcher(policy: BatchPolicy(maxRows: 2, maxBytes: 1 << 20, linger: .seconds(60)))
        func row(_ offset: Int64) -> PendingRow {
            PendingRow(row: InsertAllRow(insertID: "\(offset)", json: Data("{}".utf8)),
                       source: KafkaCoordinates(topic: topic, partition: 0, offset: offset))
        }
        let now = ContinuousClock.now
        for offset in 0..<5 { batcher.add(row(Int64(offset)), table: "apbill", at: now) }
        XCTAssertEqual(batcher.bufferedEntries, 5)
        let due = batcher.takeDue(at: now + .seconds(59))
        XCTAssertEqual(due["apbill"]?.map { $0.rows.map(\.source.offset) }, [[0, 1], [2, 3]])
        XCTAssertEqual(batcher.bufferedEntries, 1, "the open batch waits for its linger time")
        batcher.putBack(due["apbill"]!, table: "apbill")
        let forced = batcher.takeDue(at: now, force: true)
        XCTAssertEqual(forced["apbill"]?.map { $0.rows.map(\.source.offset) }, [[0, 1], [2, 3], [4]])
        XCTAssertEqual(forced["apbill"]?.last?.commitOffsets, [KafkaTopicPartition(topic: topic, partition: 0): 5])
    }
}
