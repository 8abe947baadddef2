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

    func testOnTheStorageWritePathARowCarriesItsEncodedProtobufRowAndNoJSON() throws {
        let storage = MessageRouter(company: "demo", rendersInsertAllRows: false)
        let encoder = ProtoRowEncoder(mapping: ObjectMappings.mapping(for: "APBILL")!)
        let first = sampleEnvelope(recordNo: "42", fields: [("RECORDNO", "42"), ("TOTALENTERED", "10.00"), ("DESCRIPTION", "a")])
        let second = sampleEnvelope(recordNo: "43", fields: [("RECORDNO", "43"), ("TOTALENTERED", "11.00"), ("DESCRIPTION", "b\"\u{e9}")])
        // Keys and values as a consumer hands them over: slices of one buffer per poll, not starting at 0.
        var buffer = Data("padding".utf8)
        var ranges: [(key: Range<Int>, value: Range<Int>)] = []
        for envelope in [first, second] {
            let key = buffer.count..<(buffer.count + envelope.key.description.utf8.count)
            buffer.append(contentsOf: envelope.key.description.utf8)
            let value = buffer.count..<(buffer.count + envelope.encoded().count)
            buffer.append(envelope.encoded())
            ranges.append((key, value))
        }
        let messages = ranges.enumerated().map { index, range in
            KafkaMessage(topic: topic, partition: 0, offset: Int64(index), key: buffer[range.key], value: buffer[range.value])
        }
        let loadedAt = Date(timeIntervalSince1970: 1_764_000_000)
        let outcomes = storage.route(messages, loadedAt: loadedAt)
        for (index, (outcome, envelope)) in zip(outcomes, [first, second]).enumerated() {
            guard case let .row(table, row) = outcome else { return XCTFail("expected a row: \(outcome)") }
            XCTAssertEqual(table, "apbill")
            XCTAssertNil(row.row, "no insertAll JSON on the Storage Write path")
            let expected = try encoder.row(for: RecordEnvelope.decode(envelope.encoded()), key: envelope.key.description, from: KafkaCoordinates(messages[index]),
                                           loadedAtMicros: ProtoRowEncoder.microseconds(loadedAt))
            XCTAssertEqual(row.encoded?.bytes, expected, "the row the sink sends, encoded straight from the bytes")
            XCTAssertEqual(row.encoded?.version.mapping, encoder.mapping)
            XCTAssertEqual(row.original, envelope.encoded(), "the bytes as received stay for a dead letter")
            XCTAssertEqual(row.contentSHA256, envelope.contentSHA256)
            XCTAssertEqual(row.recordKey, envelope.key.description)
        }
    }

    func testOnTheStorageWritePathBadKeysObjectsHashesAndValuesAreTheSameDeadLetters() throws {
        let storage = MessageRouter(company: "demo", rendersInsertAllRows: false)
        let envelope = sampleEnvelope(recordNo: "42", fields: [("RECORDNO", "42"), ("TOTALENTERED", "10.00")])
        let value = envelope.encoded()
        for wrong in ["demo/E100/APBILL/43", "demo/E200/APBILL/42", "demo/E100/apbill/42", "demo/E100/APBILL/42/", "demo/E100/APBILL/4", ""] {
            let message = KafkaMessage(topic: topic, partition: 1, offset: 9, key: Data(wrong.utf8), value: value)
            guard case let .deadLetter(_, letter) = storage.route(message), case let .deadLetter(_, expected) = router.route(message) else {
                return XCTFail("\(wrong) made a row")
            }
            XCTAssertEqual(letter.reason, .invalidKey, wrong)
            XCTAssertEqual(letter.detail, expected.detail)
        }
        let glentry = sampleEnvelope(object: "GLENTRY", recordNo: "1", fields: [("RECORDNO", "1")])
        let tampered = Data(String(decoding: value, as: UTF8.self).replacingOccurrences(of: "10.00", with: "10.01").utf8)
        let badValue = sampleEnvelope(recordNo: "42", fields: [("RECORDNO", "42"), ("TOTALENTERED", "ten")])
        for (value, key) in [(glentry.encoded(), "demo/E100/GLENTRY/1"), (tampered, "demo/E100/APBILL/42"), (Data("[1]".utf8), ""),
                             (badValue.encoded(), "demo/E100/APBILL/42")] {
            let message = KafkaMessage(topic: topic, partition: 1, offset: 9, key: Data(key.utf8), value: value)
            guard case let .deadLetter(_, letter) = storage.route(message), case let .deadLetter(_, expected) = router.route(message) else {
                return XCTFail("\(key) made a row")
            }
            XCTAssertEqual(letter.reason, expected.reason, letter.detail)
            XCTAssertEqual(letter.detail, expected.detail)
            XCTAssertEqual(letter.field, expected.field)
            XCTAssertEqual(letter.value, expected.value)
        }
    }

    func testOnTheStorageWritePathTheObjectIsMatchedToTheTopicWhateverItsCaseAsOnTheInsertAllPath() throws {
        let storage = MessageRouter(company: "demo", rendersInsertAllRows: false)
        // The object is compared lowercased with the topic's, and spelled uppercased in the key.
        for object in ["ApBill", "apbill", "APBILL", "APBILLS", "APBIL", "ÀPBILL", "APBİLL"] {
            let envelope = sampleEnvelope(object: object, recordNo: "42", fields: [("RECORDNO", "42")])
            for key in ["demo/E100/APBILL/42", "demo/E100/\(object.uppercased())/42", "demo/E100/\(object)/42"] {
                let message = KafkaMessage(topic: topic, partition: 1, offset: 9, key: Data(key.utf8), value: envelope.encoded())
                switch (storage.route(message), router.route(message)) {
                case let (.row(table, row), .row(expectedTable, expected)):
                    XCTAssertEqual(table, expectedTable)
                    XCTAssertEqual(row.recordKey, expected.recordKey)
                case let (.deadLetter(_, letter), .deadLetter(_, expected)):
                    XCTAssertEqual(letter.reason, expected.reason, "\(object) \(key)")
                    XCTAssertEqual(letter.detail, expected.detail)
                case let (outcome, expected):
                    XCTFail("\(object) \(key): \(outcome) on the Storage Write path, \(expected) on the insertAll path")
                }
            }
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
