import Kafka
import Foundation
import RecordContract
import Timestamps
import XCTest
@testable import Loader

/// Against the bqemulator REST API (IBQ_BIGQUERY_EMULATOR), each test in its own dataset.
final class BigQueryEmulatorTests: XCTestCase {
    func testTwoThousandRowsRoundTripWithExactAmountsAndTheSchemaGrowsByPatch() async throws {
        let host = try await emulatorHost()
        let client = emulatorClient(host: host, dataset: uniqueDatasetName("ibq_roundtrip"))
        let created = try await client.ensureDataset()
        XCTAssertTrue(created)
        let createdAgain = try await client.ensureDataset()
        XCTAssertFalse(createdAgain)

        let mapping = try XCTUnwrap(ObjectMappings.mapping(for: "APBILL"))
        let firstChange = try await client.ensureTable(mapping.tableName, schema: mapping.schema)
        XCTAssertEqual(firstChange, .created)
        let secondChange = try await client.ensureTable(mapping.tableName, schema: mapping.schema)
        XCTAssertEqual(secondChange, .unchanged)
        let live = try await client.table(mapping.tableName)
        XCTAssertEqual(live?.schema.timePartitioning, .day(field: "_source_modified_at"))
        XCTAssertEqual(live?.schema.clustering, ["_entity", "_kafka_topic", "_kafka_partition", "_kafka_offset"])

        let converter = RowConverter(mapping: mapping)
        let rows = try (0..<2000).map { index in
            try converter.row(for: sampleEnvelope(recordNo: "\(index)", fields: [
                ("RECORDNO", "\(index)"), ("TOTALENTERED", "\(index).01"), ("WHENDUE", "02/28/2026"),
                ("ONHOLD", index % 2 == 0 ? "true" : "false"), ("WHENMODIFIED", "01/31/2026 12:00:00"), ("STATE", "Posted"),
            ]), from: KafkaCoordinates(topic: "intacct.demo.e100.apbill", partition: 0, offset: Int64(index)))
        }
        for start in stride(from: 0, to: rows.count, by: 500) {
            let result = try await client.insertAll(into: mapping.tableName, rows: Array(rows[start..<start + 500]))
            XCTAssertTrue(result.allWritten, "\(result.rowErrors)")
        }

        let table = client.qualified(mapping.tableName)
        let totals = try await client.query("SELECT COUNT(*) AS n, SUM(totalentered) AS total, COUNTIF(onhold) AS held FROM \(table)")
        XCTAssertEqual(totals.rows.first?["n"].int64, 2000)
        // Σ(i + 0.01) for i in 0..<2000 = 1_999_000 + 20.00: exact only if no float touched the amounts.
        XCTAssertEqual(totals.rows.first?["total"].canonicalNumeric, "1999020")
        XCTAssertEqual(totals.rows.first?["total"].decimal, Decimal(string: "1999020.00"))
        XCTAssertEqual(totals.rows.first?["held"].int64, 1000)

        let one = try await client.query("""
            SELECT recordno, totalentered, whendue, onhold, whenmodified, _key, _raw, _deleted FROM \(table) WHERE recordno = 1234
            """)
        let row = try XCTUnwrap(one.rows.first)
        XCTAssertEqual(row["recordno"], .int64(1234))
        XCTAssertEqual(row["totalentered"].decimal, Decimal(string: "1234.01"))
        XCTAssertEqual(row["whendue"], .date("2026-02-28"))
        XCTAssertEqual(row["onhold"], .bool(true))
        XCTAssertEqual(row["whenmodified"].date, IntacctTimestamp.parse("01/31/2026 12:00:00"))
        XCTAssertEqual(row["_key"], .string("demo/E100/APBILL/1234"))
        XCTAssertEqual(row["_raw"], .null)
        XCTAssertEqual(row["_deleted"], .bool(false))

        try await client.createOrReplaceView(mapping.currentViewName, selecting: mapping.currentViewSQL(qualifiedTable: table))
        let current = try await client.query("SELECT COUNT(*) AS n FROM \(client.qualified(mapping.currentViewName))")
        XCTAssertEqual(current.rows.first?["n"].int64, 2000)

        // A new Intacct field: the mapping learns it, the table grows a NULLABLE column, new rows carry it.
        let grown = mapping.adding(FieldMapping("PAYMENTPRIORITY", .text))
        let growth = try await client.ensureTable(grown.tableName, schema: grown.schema)
        XCTAssertEqual(growth, .extended([TableColumn("paymentpriority", .string)]))
        let patched = try await client.table(grown.tableName)
        XCTAssertEqual(patched?.schema.columns.count, mapping.schema.columns.count + 1)
        XCTAssertEqual(patched?.schema.column(named: "_key")?.mode, .required)

        let grownConverter = RowConverter(mapping: grown)
        let newRows = try (2000..<2010).map { index in
            try grownConverter.row(for: sampleEnvelope(recordNo: "\(index)", fields: [
                ("RECORDNO", "\(index)"), ("TOTALENTERED", "0.01"), ("PAYMENTPRIORITY", "urgent"),
            ]), from: KafkaCoordinates(topic: "intacct.demo.e100.apbill", partition: 0, offset: Int64(index)))
        }
        let grownInsert = try await client.insertAll(into: grown.tableName, rows: newRows)
        XCTAssertTrue(grownInsert.allWritten)
        let urgent = try await client.query("SELECT COUNT(*) AS n, SUM(totalentered) AS total FROM \(table) WHERE paymentpriority = 'urgent'")
        XCTAssertEqual(urgent.rows.first?["n"].int64, 10)
        XCTAssertEqual(urgent.rows.first?["total"].canonicalNumeric, "0.1")

        try await client.deleteDataset(client.configuration.dataset)
    }

    func testAViewKeepsOnlyTheLatestVersionAndDropsDeletedKeys() async throws {
        let host = try await emulatorHost()
        let client = emulatorClient(host: host, dataset: uniqueDatasetName("ibq_view"))
        try await client.ensureDataset()
        let mapping = try XCTUnwrap(ObjectMappings.mapping(for: "VENDOR"))
        try await client.ensureTable(mapping.tableName, schema: mapping.schema)
        let converter = RowConverter(mapping: mapping)
        let topic = KafkaCoordinates(topic: "intacct.demo.top.vendor", partition: 0, offset: 0)
        func vendor(_ id: String, _ name: String, _ modified: String) throws -> InsertAllRow {
            try converter.row(for: sampleEnvelope(object: "VENDOR", entity: "top", recordNo: id,
                                                  fields: [("RECORDNO", id), ("NAME", name)], whenModified: modified), from: topic)
        }
        let rows = [
            try vendor("1", "old", "2026-01-01T00:00:00Z"), try vendor("1", "new", "2026-01-02T00:00:00Z"),
            try vendor("2", "gone", "2026-01-01T00:00:00Z"),
            try converter.tombstoneRow(for: RecordKey(company: "demo", entity: "top", object: "VENDOR", recordNo: "2"),
                                       deletedAt: "2026-01-03T00:00:00Z", from: topic),
        ]
        let inserted = try await client.insertAll(into: mapping.tableName, rows: rows)
        XCTAssertTrue(inserted.allWritten)
        try await client.createOrReplaceView(mapping.currentViewName, selecting: mapping.currentViewSQL(qualifiedTable: client.qualified(mapping.tableName)))
        let current = try await client.query("SELECT recordno, name FROM \(client.qualified(mapping.currentViewName)) ORDER BY recordno")
        XCTAssertEqual(current.rows.map { $0["name"] }, [.string("new")])
        try await client.deleteDataset(client.configuration.dataset)
    }

    func testABatchOverTheRowOrByteLimitIsRefusedBeforeSending() async throws {
        let client = emulatorClient(host: "127.0.0.1:9", dataset: "unused")
        let rows = (0..<501).map { InsertAllRow(insertID: "\($0)", json: Data("{}".utf8)) }
        do {
            _ = try await client.insertAll(into: "t", rows: rows)
            XCTFail("501 rows were accepted")
        } catch let error as BigQueryError {
            XCTAssertEqual(error.kind, .requestTooLarge)
            XCTAssertFalse(error.isRetryable)
        }
        let huge = [InsertAllRow(insertID: "x", json: Data(("{\"a\":\"" + String(repeating: "x", count: 10_000_000) + "\"}").utf8))]
        do {
            _ = try await client.insertAll(into: "t", rows: huge)
            XCTFail("a 10 MB request was accepted")
        } catch let error as BigQueryError {
            XCTAssertEqual(error.kind, .requestTooLarge)
        }
    }

    func testABadQueryIsAPermanentTypedError() async throws {
        let host = try await emulatorHost()
        let client = emulatorClient(host: host, dataset: uniqueDatasetName("ibq_query"))
        do {
            _ = try await client.query("SELECT no_such_column FROM `demo.no_such_dataset.no_such_table`")
            XCTFail("a bad query succeeded")
        } catch let error as BigQueryError {
            XCTAssertFalse(error.isRetryable, "\(error)")
            XCTAssertTrue([.queryFailed, .http].contains(error.kind), "\(error)")
        }
    }

    func testAFailedQueryCarriesGooglesReasonAndLocationAsValues() async throws {
        let host = try await emulatorHost()
        let client = emulatorClient(host: host, dataset: uniqueDatasetName("ibq_queryreason"))
        try await client.ensureDataset()
        do {
            _ = try await client.query("SELECT no_such_column FROM UNNEST([1]) AS x")
            XCTFail("a query naming a missing column succeeded")
        } catch let error as BigQueryError {
            XCTAssertEqual(error.kind, .queryFailed, "\(error)")
            XCTAssertEqual(error.reason, "invalidQuery", "\(error)")
            XCTAssertEqual(error.details.count, 1)
            XCTAssertEqual(error.logMetadata["bigquery_reason"], "invalidQuery")
            XCTAssertEqual(error.logMetadata["error_system"], "bigquery")
        }
        try await client.deleteDataset(client.configuration.dataset)
    }

    func testNestedAndScalarQueryCellsDecodeByColumnType() async throws {
        let host = try await emulatorHost()
        let client = emulatorClient(host: host, dataset: uniqueDatasetName("ibq_cells"))
        let result = try await client.query(
            "SELECT STRUCT(1 AS x) AS s, [1, 2] AS arr, 'a' AS t, CAST(NULL AS STRING) AS n, TRUE AS b, CAST('2.50' AS NUMERIC) AS m")
        let row = try XCTUnwrap(result.rows.first)
        XCTAssertEqual(row["s"], .other(#"{"f":[{"v":"1"}]}"#))
        XCTAssertEqual(row["arr"], .other(#"[{"v":"1"},{"v":"2"}]"#))
        XCTAssertEqual(row["t"], .string("a"))
        XCTAssertEqual(row["n"], .null)
        XCTAssertEqual(row["b"], .bool(true))
        XCTAssertEqual(row["m"].canonicalNumeric, "2.5")
    }

    func testInsertingIntoATableNobodyCreatedIsAPermanentNotFound() async throws {
        let host = try await emulatorHost()
        let client = emulatorClient(host: host, dataset: uniqueDatasetName("ibq_missing"))
        try await client.ensureDataset()
        do {
            _ = try await client.insertAll(into: "no_such_table", rows: [InsertAllRow(insertID: "1", json: Data(#"{"_key":"k"}"#.utf8))])
            XCTFail("insert into a missing table succeeded")
        } catch let error as BigQueryError {
            XCTAssertEqual(error.status, 404)
            XCTAssertEqual(error.reason, "notFound")
            XCTAssertFalse(error.isRetryable)
        }
        try await client.deleteDataset(client.configuration.dataset)
    }
}
