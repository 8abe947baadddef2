import Catalog
import Foundation
import Kafka
import RecordContract
import SwiftProtobuf
import XCTest
@testable import Loader

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
