import Catalog
import Foundation
import Kafka
import RecordContract
import SwiftProtobuf
import XCTest
@testable import Loader
@testable import StorageWrite

/// The protobuf rows and writer schema, checked byte by byte where the wire form is the point.
final class StorageWriteEncoderTests: XCTestCase {
    func testTheDescriptorHasOneOptionalFieldPerColumnTypedAsTheWriteAPIAcceptsIt() throws {
        let mapping = StorageWriteClientTests.mapping.adding(FieldMapping("NEWFIELD", .text))
        let encoder = ProtoRowEncoder(mapping: mapping)
        let fields = encoder.descriptor.field
        XCTAssertEqual(fields.map(\.name), mapping.schema.columns.map(\.name))
        XCTAssertEqual(fields.map(\.number), Array(1...Int32(mapping.schema.columns.count)))
        XCTAssertTrue(fields.allSatisfy { $0.label == .optional })
        func type(_ name: String) -> Google_Protobuf_FieldDescriptorProto.TypeEnum? { fields.first { $0.name == name }?.type }
        XCTAssertEqual(type("_key"), .string)
        XCTAssertEqual(type("_kafka_offset"), .int64)
        XCTAssertEqual(type("_source_modified_at"), .int64, "TIMESTAMP as microseconds")
        XCTAssertEqual(type("_deleted"), .bool)
        XCTAssertEqual(type("_raw"), .string, "JSON as text")
        XCTAssertEqual(type("recordno"), .int64)
        XCTAssertEqual(type("amount"), .string, "NUMERIC as decimal text")
        XCTAssertEqual(type("whendue"), .int32, "DATE as days")
        XCTAssertEqual(type("newfield"), .string, "a widened column is in the schema")
        let others = ProtoRowEncoder.descriptor(for: TableSchema(columns: [
            TableColumn("f", .float64), TableColumn("b", .bigNumeric), TableColumn("j", .json), TableColumn("g", .other("GEOGRAPHY")),
        ]))
        XCTAssertEqual(others.field.map(\.type), [.double, .string, .string, .string])
        XCTAssertGreaterThan(encoder.descriptorSize, 0)
    }

    func testTheRoutingHeaderKeepsResourcePathsReadableAndPercentEncodesTheRest() {
        XCTAssertEqual(StorageWriteClient.routingEncoded("projects/p-1/datasets/d_2/tables/t.3/streams/_default"),
                       "projects/p-1/datasets/d_2/tables/t.3/streams/_default")
        XCTAssertEqual(StorageWriteClient.routingEncoded("a b&c=é"), "a%20b%26c%3D%C3%A9")
    }

    func testAValueThatDoesNotFitItsColumnNamesTheRecordAndTheField() {
        let encoder = ProtoRowEncoder(mapping: StorageWriteClientTests.mapping)
        let bad = sampleEnvelope(object: "SWTYPES", recordNo: "7", fields: [("RECORDNO", "7"), ("AMOUNT", "12x.00")])
        XCTAssertThrowsError(try encoder.row(for: bad, from: KafkaCoordinates(topic: "t", partition: 0, offset: 0), loadedAt: Date())) { error in
            guard let error = error as? RowConversionError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.recordKey, "demo/E100/SWTYPES/7")
            XCTAssertEqual(error.field, "AMOUNT")
            XCTAssertEqual(error.value, "12x.00")
        }
        // The insertAll path refuses exactly the same value the same way.
        XCTAssertThrowsError(try RowConverter(mapping: StorageWriteClientTests.mapping).row(for: bad, from: KafkaCoordinates(topic: "t", partition: 0, offset: 0))) { error in
            XCTAssertEqual((error as? RowConversionError)?.field, "AMOUNT")
        }
    }

    func testNegativeDatesAndTimestampsAreSignExtendedVarintsAndNullsAreAbsent() throws {
        let mapping = ObjectMapping(object: "X", fields: [FieldMapping("WHENDUE", .date), FieldMapping("WHENPOSTED", .timestamp), FieldMapping("NAME", .text)])
        let encoder = ProtoRowEncoder(mapping: mapping)
        let numbers = Dictionary(uniqueKeysWithValues: encoder.descriptor.field.map { ($0.name, Int($0.number)) })
        let envelope = sampleEnvelope(object: "X", recordNo: "1", fields: [("WHENDUE", "1969-12-31"), ("WHENPOSTED", "1969-12-31T23:59:59Z"), ("NAME", "")])
        let fields = try WireFields(try encoder.row(for: envelope, from: KafkaCoordinates(topic: "t", partition: 3, offset: 9), loadedAt: Date()))
        XCTAssertEqual(fields.varint(numbers["whendue"]!), UInt64(bitPattern: -1), "DATE -1 day as a sign-extended varint")
        XCTAssertEqual(fields.varint(numbers["whenposted"]!), UInt64(bitPattern: -1_000_000), "TIMESTAMP -1 s in microseconds")
        XCTAssertEqual(fields.varint(numbers["_kafka_partition"]!), 3)
        XCTAssertEqual(fields.varint(numbers["_kafka_offset"]!), 9)
        XCTAssertEqual(fields.varint(numbers["_deleted"]!), 0)
        XCTAssertEqual(fields.text(numbers["_key"]!), "demo/E100/X/1")
        XCTAssertNil(fields.values[numbers["name"]!], "an empty Intacct value is an absent field, not an empty string")
        XCTAssertNil(fields.values[numbers["_raw"]!], "no unknown fields, no _raw")
        XCTAssertEqual(fields.values.count, 12, "ten metadata columns (no _raw), the date and the timestamp")
    }

    func testRowsWrittenWithOneScratchAreTheRowsWrittenOneByOneWhateverTheirFieldLists() throws {
        let encoder = ProtoRowEncoder(mapping: StorageWriteClientTests.mapping)
        let other = ProtoRowEncoder(mapping: StorageWriteClientTests.mapping.adding(FieldMapping("CUSTOM_X", .text)))
        let coordinates = KafkaCoordinates(topic: "intacct.demo.e100.swtypes", partition: 1, offset: 5)
        // Same field lists in a row, a list with one field more, fewer, an unknown field, other stamps.
        let envelopes = StorageWriteClientTests.envelopes() + StorageWriteClientTests.envelopes().reversed() + [
            sampleEnvelope(object: "SWTYPES", recordNo: "9", fields: [("RECORDNO", "9"), ("NAME", "n")], whenModified: "2026-02-01T00:00:00Z"),
            sampleEnvelope(object: "SWTYPES", recordNo: "10", fields: [("RECORDNO", "10"), ("NAME", "m")], whenModified: ""),
            sampleEnvelope(object: "SWTYPES", recordNo: "11", fields: [("RECORDNO", "11"), ("NAME", "m"), ("ZZ_UNKNOWN", "raw")]),
            // Escaped and non-ASCII text, a name that is not ASCII (sorted as a String), an unknown field with escapes.
            sampleEnvelope(object: "SWTYPES", recordNo: "12", fields: [("RECORDNO", "12"), ("NAME", "say \"hé\"\n\u{1F600}\\"),
                                                                      ("ÉTAT", "x\ty"), ("ZZ_UNKNOWN", "\u{0}\"")]),
        ]
        for encoder in [encoder, other] {
            // The loader's path: one scanner and one scratch for a run of messages, straight from their bytes.
            var scratch = ProtoRowEncoder.RowScratch()
            var scanner = EnvelopeScanner()
            for envelope in envelopes {
                let key = envelope.key.description
                let alone = try encoder.row(for: envelope, key: key, from: coordinates, loadedAtMicros: 42)
                let reused = try scanner.read(envelope.encoded()) {
                    try encoder.row(for: $0, key: key.utf8, from: coordinates, loadedAtMicros: 42, reusing: &scratch)
                }
                XCTAssertEqual(reused, alone, "record \(key)")
            }
        }
    }

    func testAValueThatDoesNotFitItsColumnIsRefusedTheSameWayFromBytes() throws {
        let encoder = ProtoRowEncoder(mapping: StorageWriteClientTests.mapping)
        var scratch = ProtoRowEncoder.RowScratch()
        var scanner = EnvelopeScanner()
        for (field, value) in [("AMOUNT", "12x.00"), ("ONHOLD", "maybe"), ("WHENDUE", "13/01/2026"), ("WHENPOSTED", "31/01/2026 10:00:00")] {
            let bad = sampleEnvelope(object: "SWTYPES", recordNo: "7", fields: [("RECORDNO", "7"), (field, value)])
            let coordinates = KafkaCoordinates(topic: "t", partition: 0, offset: 0)
            var expected: RowConversionError?
            XCTAssertThrowsError(try encoder.row(for: bad, from: coordinates, loadedAt: Date())) { expected = $0 as? RowConversionError }
            XCTAssertThrowsError(try scanner.read(bad.encoded()) {
                try encoder.row(for: $0, key: bad.key.description.utf8, from: coordinates, loadedAtMicros: 0, reusing: &scratch)
            }) { error in
                XCTAssertEqual(error as? RowConversionError, expected)
                XCTAssertEqual((error as? RowConversionError)?.field, field)
            }
        }
    }

    func testNumbersAndFlagsReadStraightFromBytesAreTypedAsTheInsertAllPathTypesThem() throws {
        let mapping = ObjectMapping(object: "X", fields: [
            FieldMapping("I", .integer), FieldMapping("D", .decimal), FieldMapping("P", .percent), FieldMapping("B", .boolean),
            FieldMapping("E", .enumeration),
        ])
        let encoder = ProtoRowEncoder(mapping: mapping)
        let numbers = Dictionary(uniqueKeysWithValues: encoder.descriptor.field.map { ($0.name, Int($0.number)) })
        // What Intacct sends (read from the bytes) and what only the shared typing takes or refuses.
        let values = ["0", "7", "-12", "007", "+5", " 12", "12 ", "-", "+", "", "1.5", "-0.25", ".5", "5.", "+1.50", "1.2.3", "1e3",
                      "9223372036854775807", "-9223372036854775808", "9223372036854775808", "-9223372036854775809",
                      String(repeating: "9", count: 29) + ".123456789", String(repeating: "9", count: 30), "0.1234567891",
                      "true", "false", "TRUE", "False", "t", "f", "yes", "no", "1", "0", "maybe", "é"]
        for value in values {
            for (field, type) in [("I", IntacctFieldType.integer), ("D", .decimal), ("P", .percent), ("B", .boolean), ("E", .enumeration)] {
                let envelope = sampleEnvelope(object: "X", recordNo: "1", fields: [(field, value)])
                let coordinates = KafkaCoordinates(topic: "t", partition: 0, offset: 0)
                let expected: WireFields.Value?
                do {
                    switch try ColumnValue.parse(value, as: type, field: field, recordKey: "demo/E100/X/1") {
                    case .null: expected = nil
                    case let .integer(number): expected = .varint(UInt64(bitPattern: number))
                    case let .boolean(flag): expected = .varint(flag ? 1 : 0)
                    case let .decimal(text), let .text(text): expected = .bytes(Array(text.utf8))
                    case .date, .timestamp: return XCTFail("\(type) typed as a date")
                    }
                } catch let refusal as RowConversionError {
                    XCTAssertThrowsError(try encoder.row(for: envelope, from: coordinates, loadedAt: Date()), "\(type) \(value)") { error in
                        XCTAssertEqual(error as? RowConversionError, refusal)
                    }
                    continue
                }
                let fields = try WireFields(try encoder.row(for: envelope, from: coordinates, loadedAt: Date()))
                XCTAssertEqual(fields.values[numbers[field.lowercased()]!], expected, "\(type) \(value)")
            }
        }
    }

    func testDatesAndTimestampsReadStraightToNumbersMatchTheTextTheInsertAllPathSends() throws {
        let mapping = ObjectMapping(object: "X", fields: [FieldMapping("WHENDUE", .date), FieldMapping("WHENPOSTED", .timestamp)])
        let encoder = ProtoRowEncoder(mapping: mapping)
        let numbers = Dictionary(uniqueKeysWithValues: encoder.descriptor.field.map { ($0.name, Int($0.number)) })
        let cases: [(date: String, days: Int64, stamp: String, micros: Int64)] = [
            ("01/01/1970", 0, "01/01/1970 00:00:00", 0),
            ("12/31/1969", -1, "12/31/1969 23:59:59", -1_000_000),
            ("02/29/2024", 19_782, "02/29/2024 12:00:00", 1_709_208_000_000_000),
            ("2024-02-29", 19_782, "2024-02-29T12:00:00+01:00", 1_709_204_400_000_000),
            ("12/31/2026", 20_818, "12/31/2026", 1_798_675_200_000_000),
        ]
        for item in cases {
            let envelope = sampleEnvelope(object: "X", recordNo: "1", fields: [("WHENDUE", item.date), ("WHENPOSTED", item.stamp)])
            let fields = try WireFields(try encoder.row(for: envelope, from: KafkaCoordinates(topic: "t", partition: 0, offset: 0), loadedAt: Date()))
            XCTAssertEqual(fields.varint(numbers["whendue"]!), UInt64(bitPattern: item.days), item.date)
            XCTAssertEqual(fields.varint(numbers["whenposted"]!), UInt64(bitPattern: item.micros), item.stamp)
        }
        // What the direct read refuses is still refused as the insertAll path refuses it.
        for (field, value) in [("WHENDUE", "01/01/2026 10:00:00"), ("WHENDUE", "13/01/2026"), ("WHENPOSTED", "31/01/2026 10:00:00")] {
            let bad = sampleEnvelope(object: "X", recordNo: "1", fields: [(field, value)])
            XCTAssertThrowsError(try encoder.row(for: bad, from: KafkaCoordinates(topic: "t", partition: 0, offset: 0), loadedAt: Date())) { error in
                XCTAssertEqual((error as? RowConversionError)?.field, field)
                XCTAssertEqual((error as? RowConversionError)?.value, value)
            }
            XCTAssertThrowsError(try RowConverter(mapping: mapping).row(for: bad, from: KafkaCoordinates(topic: "t", partition: 0, offset: 0)))
        }
    }
}

/// A protobuf message's top-level fields, for reading the encoder's bytes back in tests.
struct WireFields {
    enum Value: Equatable { case varint(UInt64), fixed64(UInt64), bytes([UInt8]) }
    struct Malformed: Error {}
    var values: [Int: Value] = [:]

    init(_ data: Data) throws {
        let bytes = [UInt8](data)
        var index = 0
        func varint() throws -> UInt64 {
            var result: UInt64 = 0, shift: UInt64 = 0
            while true {
                guard index < bytes.count, shift < 64 else { throw Malformed() }
                let byte = bytes[index]
                index += 1
                result |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return result }
                shift += 7
            }
        }
        while index < bytes.count {
            let key = try varint()
            let number = Int(key >> 3)
            switch key & 7 {
            case 0: values[number] = .varint(try varint())
            case 1:
                guard index + 8 <= bytes.count else { throw Malformed() }
                values[number] = .fixed64(bytes[index..<index + 8].reversed().reduce(0) { $0 << 8 | UInt64($1) })
                index += 8
            case 2:
                let length = Int(try varint())
                guard index + length <= bytes.count else { throw Malformed() }
                values[number] = .bytes(Array(bytes[index..<index + length]))
                index += length
            default: throw Malformed()
            }
        }
    }

    func varint(_ number: Int) -> UInt64? { if case let .varint(value)? = values[number] { value } else { nil } }
    func text(_ number: Int) -> String? { if case let .bytes(value)? = values[number] { String(decoding: value, as: UTF8.self) } else { nil } }
}
