import Catalog
import Foundation
import Kafka
import RecordContract
import Timestamps
import XCTest
@testable import Loader
@testable import StorageWrite

/// The Storage Write client and the protobuf row encoder against bqemulator's gRPC port
/// (IBQ_BIGQUERY_GRPC), each test in its own dataset; tables are created and read over REST.
final class StorageWriteClientTests: XCTestCase {
    /// One column of every type the loader's mappings produce, plus `_raw` (JSON) for a field the mapping lacks.
    static let mapping = ObjectMapping(object: "SWTYPES", fields: [
        FieldMapping("RECORDNO", .integer), FieldMapping("NAME", .text), FieldMapping("STATE", .enumeration),
        FieldMapping("AMOUNT", .decimal), FieldMapping("RATE", .percent), FieldMapping("ONHOLD", .boolean),
        FieldMapping("WHENDUE", .date), FieldMapping("WHENPOSTED", .timestamp),
    ])

    static func envelopes() -> [RecordEnvelope] {
        [
            sampleEnvelope(object: "SWTYPES", recordNo: "1", fields: [
                ("RECORDNO", "1"), ("NAME", "Café \"quoted\"\nsecond line ✓"), ("STATE", "Posted"),
                ("AMOUNT", "12345678901234567890.12"), ("RATE", "-0.005"), ("ONHOLD", "true"),
                ("WHENDUE", "02/28/2026"), ("WHENPOSTED", "01/31/2026 12:34:56"), ("CUSTOM_X", "kept in _raw"),
            ]),
            sampleEnvelope(object: "SWTYPES", recordNo: "2", fields: [
                ("RECORDNO", "9223372036854775807"), ("NAME", ""), ("AMOUNT", "0.01"), ("RATE", "100"), ("ONHOLD", "false"),
                ("WHENDUE", "1969-12-31"), ("WHENPOSTED", "1969-12-31T23:59:59Z"),
            ], whenModified: "2026-01-31T12:00:00.250000Z"),
            sampleEnvelope(object: "SWTYPES", recordNo: "3", fields: [
                ("RECORDNO", "3"), ("NAME", ""), ("STATE", ""), ("AMOUNT", ""), ("RATE", ""), ("ONHOLD", ""), ("WHENDUE", ""), ("WHENPOSTED", ""),
            ]),
        ]
    }

    static let loadedAt = Date(timeIntervalSince1970: 1_769_860_800.123456)

    private func coordinates(_ offset: Int) -> KafkaCoordinates {
        KafkaCoordinates(topic: "intacct.demo.e100.swtypes", partition: 2, offset: Int64(offset))
    }

    func testEveryColumnTypeCommittedThroughAPendingStreamReadsBackAsTheInsertAllPathWritesIt() async throws {
        let endpoint = try emulatorGRPCEndpoint()
        let rest = emulatorClient(host: try await emulatorHost(), dataset: uniqueDatasetName("ibq_storage_types"))
        try await rest.ensureDataset()
        let mapping = Self.mapping
        try await rest.ensureTable("via_storage", schema: mapping.schema)
        try await rest.ensureTable("via_insert_all", schema: mapping.schema)

        let encoder = ProtoRowEncoder(mapping: mapping)
        let converter = RowConverter(mapping: mapping)
        let envelopes = Self.envelopes()
        let tombstone = RecordKey(company: "demo", entity: "E100", object: "SWTYPES", recordNo: "4")
        let protoRows = try envelopes.enumerated().map { try encoder.row(for: $1, from: coordinates($0), loadedAt: Self.loadedAt) }
            + [try encoder.tombstoneRow(for: tombstone, deletedAt: "2026-02-01T00:00:00Z", from: coordinates(3), loadedAt: Self.loadedAt)]
        var jsonRows = try envelopes.enumerated().map { try converter.row(for: $1, from: coordinates($0), loadedAt: Self.loadedAt) }
        jsonRows.append(try converter.tombstoneRow(for: tombstone, deletedAt: "2026-02-01T00:00:00Z", from: coordinates(3), loadedAt: Self.loadedAt))
        let inserted = try await rest.insertAll(into: "via_insert_all", rows: jsonRows)
        XCTAssertTrue(inserted.allWritten, "\(inserted.rowErrors)")

        let table = StorageWriteClient.tablePath(project: "demo", dataset: rest.configuration.dataset, table: "via_storage")
        let count = "SELECT COUNT(*) AS n FROM \(rest.qualified("via_storage"))"
        let (stream, committedAfterAppend) = try await withStorageWriteClient(endpoint) { client in
            let stream = try await client.createWriteStream(table: table, type: .pending)
            XCTAssertEqual(stream.type, .pending)
            XCTAssertTrue(stream.name.hasPrefix(table + "/streams/"), stream.name)
            let outcome = try await client.appendRows(stream: stream.name, offset: 0, descriptor: encoder.descriptor, rows: protoRows)
            XCTAssertEqual(outcome, AppendRowsOutcome(appendedRows: protoRows.count, firstOffset: 0, stop: nil))
            let before = try await rest.query(count).rows.first?["n"]
            let rowCount = try await client.finalizeWriteStream(stream.name)
            XCTAssertEqual(rowCount, Int64(protoRows.count))
            let stillBefore = try await rest.query(count).rows.first?["n"]
            XCTAssertEqual(stillBefore, .int64(0), "a finalized but uncommitted PENDING stream's rows are visible")
            let commitTime = try await client.batchCommitWriteStreams(table: table, streams: [stream.name])
            XCTAssertNotNil(commitTime)
            return (try await client.getWriteStream(stream.name), before)
        }
        XCTAssertEqual(committedAfterAppend, .int64(0), "a PENDING stream's rows are visible before commit")
        // bqemulator's GetWriteStream leaves commit_time out; real BigQuery sets it after the commit.
        XCTAssertEqual(stream.type, .pending)

        let columns = mapping.schema.columns.map(\.name).joined(separator: ", ")
        let viaStorage = try await rest.query("SELECT \(columns) FROM \(rest.qualified("via_storage")) ORDER BY _key")
        let viaInsertAll = try await rest.query("SELECT \(columns) FROM \(rest.qualified("via_insert_all")) ORDER BY _key")
        XCTAssertEqual(viaStorage.rows.count, 4)
        for (storageRow, insertAllRow) in zip(viaStorage.rows, viaInsertAll.rows) {
            for column in mapping.schema.columns {
                XCTAssertEqual(storageRow[column.name], insertAllRow[column.name], "\(storageRow["_key"]) column \(column.name)")
            }
        }
        let first = try XCTUnwrap(viaStorage.rows.first)
        XCTAssertEqual(first["amount"].canonicalNumeric, "12345678901234567890.12")
        XCTAssertEqual(first["rate"].canonicalNumeric, "-0.005")
        XCTAssertEqual(first["name"], .string("Café \"quoted\"\nsecond line ✓"))
        XCTAssertEqual(first["whendue"], .date("2026-02-28"))
        XCTAssertEqual(first["whenposted"].date, IntacctTimestamp.parse("01/31/2026 12:34:56"))
        XCTAssertEqual(first["_kafka_partition"], .int64(2))
        XCTAssertEqual(first["_loaded_at"], .timestamp(microseconds: 1_769_860_800_123_456))
        XCTAssertNotEqual(first["_raw"], .null)
        let second = viaStorage.rows[1]
        XCTAssertEqual(second["recordno"], .int64(Int64.max))
        XCTAssertEqual(second["amount"].canonicalNumeric, "0.01")
        XCTAssertEqual(second["whendue"], .date("1969-12-31"))
        XCTAssertEqual(second["whenposted"], .timestamp(microseconds: -1_000_000))
        XCTAssertEqual(second["_source_modified_at"], .timestamp(microseconds: 1_769_860_800_250_000))
        XCTAssertEqual(second["name"], .null)
        let third = viaStorage.rows[2]
        for column in ["state", "amount", "rate", "onhold", "whendue", "whenposted", "_raw"] {
            XCTAssertEqual(third[column], .null, column)
        }
        let deleted = viaStorage.rows[3]
        XCTAssertEqual(deleted["_deleted"], .bool(true))
        XCTAssertEqual(deleted["recordno"], .int64(4))
        XCTAssertEqual(deleted["_content_sha256"], .null)
        try await rest.deleteDataset(rest.configuration.dataset)
    }

    func testARetriedAppendIsAnsweredAlreadyExistsAndAGapIsOutOfRange() async throws {
        let endpoint = try emulatorGRPCEndpoint()
        let rest = emulatorClient(host: try await emulatorHost(), dataset: uniqueDatasetName("ibq_storage_offsets"))
        try await rest.ensureDataset()
        try await rest.ensureTable("swtypes", schema: Self.mapping.schema)
        let encoder = ProtoRowEncoder(mapping: Self.mapping)
        let rows = try Self.envelopes().enumerated().map { try encoder.row(for: $1, from: coordinates($0), loadedAt: Self.loadedAt) }
        let table = StorageWriteClient.tablePath(project: "demo", dataset: rest.configuration.dataset, table: "swtypes")

        try await withStorageWriteClient(endpoint) { client in
            let stream = try await client.createWriteStream(table: table, type: .committed)
            let first = try await client.appendRows(stream: stream.name, offset: 0, descriptor: encoder.descriptor, rows: rows)
            XCTAssertTrue(first.isComplete)
            XCTAssertEqual(first.appendedRows, 3)

            let retried = try await client.appendRows(stream: stream.name, offset: 0, descriptor: encoder.descriptor, rows: rows)
            guard case .alreadyExists(offset: 0, rows: 3, _)? = retried.stop else { return XCTFail("retry answered \(retried)") }
            XCTAssertEqual(retried.appendedRows, 0)

            let gap = try await client.appendRows(stream: stream.name, offset: 10, descriptor: encoder.descriptor, rows: rows)
            guard case .outOfRange(offset: 10, _)? = gap.stop else { return XCTFail("gap answered \(gap)") }

            let next = try await client.appendRows(stream: stream.name, offset: 3, descriptor: encoder.descriptor, rows: Array(rows.prefix(1)))
            XCTAssertEqual(next, AppendRowsOutcome(appendedRows: 1, firstOffset: 3, stop: nil))
        }
        let count = try await rest.query("SELECT COUNT(*) AS n FROM \(rest.qualified("swtypes"))")
        XCTAssertEqual(count.rows.first?["n"], .int64(4), "a COMMITTED stream shows each appended row once")
        try await rest.deleteDataset(rest.configuration.dataset)
    }

    func testRowsBeyondOneRequestAreSplitIntoConsecutiveRequestsThatContinueTheOffsets() async throws {
        let endpoint = try emulatorGRPCEndpoint()
        let rest = emulatorClient(host: try await emulatorHost(), dataset: uniqueDatasetName("ibq_storage_split"))
        try await rest.ensureDataset()
        try await rest.ensureTable("swtypes", schema: Self.mapping.schema)
        let encoder = ProtoRowEncoder(mapping: Self.mapping)
        let rows = try (0..<60).map { index in
            try encoder.row(for: sampleEnvelope(object: "SWTYPES", recordNo: "\(index)", fields: [
                ("RECORDNO", "\(index)"), ("AMOUNT", "\(index).25"), ("NAME", String(repeating: "x", count: 200)),
            ]), from: coordinates(index), loadedAt: Self.loadedAt)
        }
        let table = StorageWriteClient.tablePath(project: "demo", dataset: rest.configuration.dataset, table: "swtypes")
        // About six rows per request: ten requests, each starting where the previous one ended.
        let budget = encoder.descriptorSize + 6 * (rows[0].count + 6) + 200
        XCTAssertGreaterThan(StorageWriteClient.requests(for: rows, budget: budget - encoder.descriptorSize - 200).ranges.count, 5)
        try await withStorageWriteClient(endpoint, maxRequestBytes: budget) { client in
            let stream = try await client.createWriteStream(table: table, type: .committed)
            let outcome = try await client.appendRows(stream: stream.name, offset: 0, descriptor: encoder.descriptor, rows: rows)
            XCTAssertEqual(outcome, AppendRowsOutcome(appendedRows: 60, firstOffset: 0, stop: nil))
        }
        let totals = try await rest.query("SELECT COUNT(*) AS n, COUNT(DISTINCT _key) AS keys, SUM(amount) AS total FROM \(rest.qualified("swtypes"))")
        XCTAssertEqual(totals.rows.first?["n"], .int64(60))
        XCTAssertEqual(totals.rows.first?["keys"], .int64(60))
        // Σ(i + 0.25) for i in 0..<60 = 1770 + 15.
        XCTAssertEqual(totals.rows.first?["total"].canonicalNumeric, "1785")
        try await rest.deleteDataset(rest.configuration.dataset)
    }

    /// bqemulator's gRPC server takes requests up to its `write_api_max_request_bytes` (10 MiB by default,
    /// transport limit 1 MiB above), as BigQuery takes 10 MB: one request as large as the client cuts them
    /// (10 MB less 64 KiB, over twice gRPC's usual 4 MiB receive limit) lands whole.
    func testOneRequestAsLargeAsTheClientCutsThemIsAcceptedByTheEmulator() async throws {
        let endpoint = try emulatorGRPCEndpoint()
        let rest = emulatorClient(host: try await emulatorHost(), dataset: uniqueDatasetName("ibq_storage_large"))
        try await rest.ensureDataset()
        try await rest.ensureTable("swtypes", schema: Self.mapping.schema)
        let encoder = ProtoRowEncoder(mapping: Self.mapping)
        let table = StorageWriteClient.tablePath(project: "demo", dataset: rest.configuration.dataset, table: "swtypes")
        let row = { (index: Int) in
            try encoder.row(for: sampleEnvelope(object: "SWTYPES", recordNo: "\(index)", fields: [
                ("RECORDNO", "\(index)"), ("NAME", String(repeating: "x", count: 8_000)),
            ]), from: self.coordinates(index), loadedAt: Self.loadedAt)
        }
        // The stream's name (about 110 bytes) and the request's other fields fit in the last 1,000 bytes.
        let budget = StorageWriteClient.defaultMaxRequestBytes - encoder.descriptorSize - 1_000
        let count = budget / (try row(99_999).count + 6)
        let rows = try (0..<count).map(row)
        XCTAssertEqual(StorageWriteClient.requests(for: rows, budget: budget).ranges, [0..<count])
        XCTAssertGreaterThan(rows.reduce(0) { $0 + $1.count }, 9_800_000)
        try await withStorageWriteClient(endpoint) { client in
            let stream = try await client.createWriteStream(table: table, type: .committed)
            let outcome = try await client.appendRows(stream: stream.name, offset: 0, descriptor: encoder.descriptor, rows: rows)
            XCTAssertEqual(outcome, AppendRowsOutcome(appendedRows: count, firstOffset: 0, stop: nil))
        }
        let totals = try await rest.query("SELECT COUNT(*) AS n, SUM(LENGTH(name)) AS characters FROM \(rest.qualified("swtypes"))")
        XCTAssertEqual(totals.rows.first?["n"], .int64(Int64(count)))
        XCTAssertEqual(totals.rows.first?["characters"], .int64(Int64(count * 8_000)))
        try await rest.deleteDataset(rest.configuration.dataset)
    }

    func testARowLargerThanAnyRequestIsARowErrorAndTheRowsBeforeItAreAppended() async throws {
        let rows = [Data(count: 10), Data(count: 10), Data(count: 5000), Data(count: 10)]
        let plan = StorageWriteClient.requests(for: rows, budget: 1000)
        XCTAssertEqual(plan.ranges, [0..<2])
        XCTAssertEqual(plan.oversizeRow, 2)
        XCTAssertEqual(StorageWriteClient.requests(for: Array(repeating: Data(count: 94), count: 25), budget: 1000).ranges, [0..<10, 10..<20, 20..<25])
    }

    func testAStreamThatDoesNotExistIsATypedNotFoundNamingTheStream() async throws {
        let endpoint = try emulatorGRPCEndpoint()
        let name = "projects/demo/datasets/nowhere/tables/none/streams/0123456789abcdef"
        do {
            _ = try await withStorageWriteClient(endpoint) { client in try await client.getWriteStream(name) }
            XCTFail("a missing stream was found")
        } catch let error as StorageWriteError {
            XCTAssertEqual(error.code, 5, "\(error)")
            XCTAssertEqual(error.codeName, "NOT_FOUND")
            XCTAssertEqual(error.operation, "GetWriteStream")
            XCTAssertEqual(error.stream, name)
            XCTAssertFalse(error.isRetryable)
        }
    }
}
