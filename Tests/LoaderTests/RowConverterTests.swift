import Kafka
import Foundation
import Catalog
import Cryptography
import RecordContract
import XCTest
@testable import Loader

final class RowConverterTests: XCTestCase {
    let coordinates = KafkaCoordinates(topic: "intacct.demo.e100.apbill", partition: 2, offset: 41)

    private func json(_ row: InsertAllRow) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: row.json) as! [String: Any]
    }

    func testEveryContractObjectHasAMappingWithTypedColumnsAndMetadata() throws {
        let objects = ["LOCATIONENTITY", "GLACCOUNT", "DEPARTMENT", "LOCATION", "CLASS", "PROJECT", "VENDOR", "GLBATCH",
                       "GLENTRY", "GLDETAIL", "APBILL", "APPYMT"]
        for object in objects {
            let mapping = try XCTUnwrap(ObjectMappings.mapping(for: object), object)
            XCTAssertEqual(mapping.tableName, object.lowercased())
            XCTAssertEqual(mapping.schema.columns.first, TableColumn("_key", .string, .required, description: mapping.schema.columns.first?.description))
            XCTAssertEqual(mapping.schema.timePartitioning, .day(field: "_source_modified_at"))
            XCTAssertEqual(mapping.schema.clustering, ["_entity"])
        }
        // Any other object (AUDITHISTORY included) is typed from the mapping file or the poller's hints.
        XCTAssertNil(ObjectMappings.mapping(for: "AUDITHISTORY"))
        XCTAssertEqual(ObjectMappings.mapping(for: "GLDETAIL")?.schema.column(named: "recordno")?.type, .string)
        XCTAssertEqual(ObjectMappings.mapping(for: "APBILL")?.schema.column(named: "recordno")?.type, .int64)
        XCTAssertEqual(ObjectMappings.mapping(for: "APBILL")?.schema.column(named: "totalentered")?.type, .numeric)
        XCTAssertEqual(ObjectMappings.mapping(for: "APBILL")?.schema.column(named: "whendue")?.type, .date)
        XCTAssertEqual(ObjectMappings.mapping(for: "APBILL")?.schema.column(named: "onhold")?.type, .bool)
        XCTAssertEqual(ObjectMappings.mapping(for: "GLACCOUNT")?.schema.column(named: "whenmodified")?.type, .timestamp)
        XCTAssertEqual(ObjectMappings.mapping(for: "GLENTRY")?.schema.column(named: "tr_type")?.type, .int64)
    }

    func testAnAPBillBecomesATypedRowWithExactAmountsAndUnknownFieldsInRaw() throws {
        let envelope = sampleEnvelope(recordNo: "42", fields: [
            ("RECORDNO", "42"), ("TOTALENTERED", "1234567890123.45"), ("WHENDUE", "02/28/2026"), ("ONHOLD", "false"),
            ("WHENMODIFIED", "01/31/2026 12:00:00"), ("STATE", "Posted"), ("DESCRIPTION", ""), ("NEWFIELD", "x\"y"),
        ])
        let row = try RowConverter(mapping: ObjectMappings.mapping(for: "APBILL")!).row(for: envelope, from: coordinates)
        let object = try json(row)
        XCTAssertEqual(object["_key"] as? String, "demo/E100/APBILL/42")
        XCTAssertEqual(object["_entity"] as? String, "E100")
        XCTAssertEqual(object["recordno"] as? String, "42")
        XCTAssertEqual(object["totalentered"] as? String, "1234567890123.45")
        XCTAssertEqual(object["whendue"] as? String, "2026-02-28")
        XCTAssertEqual(object["onhold"] as? Bool, false)
        XCTAssertEqual(object["whenmodified"] as? String, "2026-01-31T12:00:00Z")
        XCTAssertTrue(object["description"] is NSNull)
        XCTAssertEqual(object["_kafka_partition"] as? Int, 2)
        XCTAssertEqual(object["_kafka_offset"] as? Int, 41)
        XCTAssertEqual(object["_deleted"] as? Bool, false)
        XCTAssertEqual(object["_raw"] as? String, #"{"NEWFIELD":"x\"y"}"#)
        XCTAssertEqual(row.insertID, SHA256.hex("demo/E100/APBILL/42|2026-01-31T12:00:00Z|\(envelope.contentSHA256)"))
    }

    func testANonNumericAmountIsAConversionErrorNamingFieldValueAndKey() {
        let envelope = sampleEnvelope(recordNo: "7", fields: [("RECORDNO", "7"), ("TOTALENTERED", "12x.00")])
        XCTAssertThrowsError(try RowConverter(mapping: ObjectMappings.mapping(for: "APBILL")!).row(for: envelope, from: coordinates)) { error in
            let conversion = error as? RowConversionError
            XCTAssertEqual(conversion?.field, "TOTALENTERED")
            XCTAssertEqual(conversion?.value, "12x.00")
            XCTAssertEqual(conversion?.recordKey, "demo/E100/APBILL/7")
            XCTAssertTrue(String(describing: error).contains("TOTALENTERED"))
        }
    }

    func testDecimalsOutsideNumericRangeAndMalformedValuesAreRefused() {
        let bad: [(IntacctFieldType, String)] = [
            (.decimal, "1.0000000001"), (.decimal, String(repeating: "9", count: 30)), (.decimal, "."), (.decimal, "1e5"),
            (.decimal, "--1"), (.integer, "1.5"), (.boolean, "maybe"), (.date, "2026/01/31"), (.timestamp, "yesterday"),
        ]
        for (type, value) in bad {
            var out = RowWriter(capacity: 64)
            XCTAssertThrowsError(try RowConverter.write(value, as: type, into: &out, field: "F", recordKey: "k"), "\(type) \(value)")
        }
        var out = RowWriter(capacity: 64)
        XCTAssertNoThrow(try RowConverter.write("-0.01", as: .decimal, into: &out, field: "F", recordKey: "k"))
        XCTAssertNoThrow(try RowConverter.write("100", as: .decimal, into: &out, field: "F", recordKey: "k"))
    }

    func testATombstoneRowMarksTheKeyDeletedWithAStableInsertID() throws {
        let key = RecordKey(company: "demo", entity: "E100", object: "GLDETAIL", recordNo: "3220-55186-27290--accrual")
        let converter = RowConverter(mapping: ObjectMappings.mapping(for: "GLDETAIL")!)
        let row = try converter.tombstoneRow(for: key, deletedAt: "2026-02-01T00:00:00Z", from: coordinates)
        let object = try json(row)
        XCTAssertEqual(object["_deleted"] as? Bool, true)
        XCTAssertEqual(object["recordno"] as? String, "3220-55186-27290--accrual")
        XCTAssertEqual(object["_source_modified_at"] as? String, "2026-02-01T00:00:00Z")
        XCTAssertEqual(row.insertID, try converter.tombstoneRow(for: key, deletedAt: "2026-02-01T00:00:00Z", from: coordinates).insertID)
    }
}
