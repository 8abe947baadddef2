import Foundation
import Kafka
import RecordContract
import XCTest
@testable import Loader
@testable import StorageWrite

/// `StorageWriteRowSink`, the worker's sink on the Storage Write path, against the emulator's REST and
/// gRPC ports: rows come from the envelope bytes as consumed, never from insertAll JSON.
final class StorageWriteRowSinkTests: XCTestCase {
    private struct Refused: Error {}

    private func rows() -> [PendingRow] {
        let topic = "intacct.demo.e100.apbill"
        func record(_ recordNo: String, total: String, offset: Int64) -> PendingRow {
            let envelope = sampleEnvelope(recordNo: recordNo, fields: [("RECORDNO", recordNo), ("TOTALENTERED", total), ("VENDORID", "V\(recordNo)")])
            return PendingRow(row: nil, source: KafkaCoordinates(topic: topic, partition: 0, offset: offset), recordKey: envelope.key.description,
                              original: envelope.encoded(), contentSHA256: envelope.contentSHA256)
        }
        let tombstone = PendingRow(row: nil, source: KafkaCoordinates(topic: topic, partition: 0, offset: 3), recordKey: "demo/E100/APBILL/1",
                                   original: nil, deletedAt: "2026-01-31T13:00:00Z")
        return [record("1", total: "100.10", offset: 0), record("2", total: "12x.00", offset: 1), record("3", total: "0.01", offset: 2), tombstone]
    }

    private func withSink<Result: Sendable>(dataset: String, _ body: @Sendable (StorageWriteRowSink, BigQueryClient) async throws -> Result) async throws -> Result {
        let endpoint = try emulatorGRPCEndpoint()
        let rest = emulatorClient(host: try await emulatorHost(), dataset: dataset)
        let preparer = TablePreparer(client: rest, logger: quietLogger())
        return try await withStorageWriteClient(endpoint) { client in
            let sink = StorageWriteRowSink(sink: StorageWriteSink(client: client), project: "demo", dataset: dataset, preparer: preparer,
                                           mappings: ObjectMappings.all, widening: nil,
                                           auditRows: TableWriter(client: rest, preparer: preparer, logger: quietLogger()), logger: quietLogger())
            return try await body(sink, rest)
        }
    }

    func testRecordsAndTombstonesAreEncodedFromTheEnvelopeBytesIntoATableTheSinkCreatesAndABadValueIsADeadLetter() async throws {
        let dataset = uniqueDatasetName("ibq_sw_rowsink")
        let rows = rows()
        let (dead, held) = try await withSink(dataset: dataset) { sink, rest in
            let dead = try await sink.write(rows, table: "apbill")
            let result = try await rest.query("SELECT _key, _deleted, totalentered, _kafka_offset FROM \(rest.qualified("apbill")) ORDER BY _kafka_offset")
            return (dead, result.rows.map { "\($0["_kafka_offset"].int64 ?? -1) \($0["_key"].string ?? "") \($0["_deleted"].bool == true) \($0["totalentered"].decimal.map { "\($0)" } ?? "null")" })
        }
        XCTAssertEqual(dead.map(\.reason), [.conversion], "the value that does not type is a dead letter, the rest is written")
        XCTAssertEqual(dead.first?.source.offset, 1)
        XCTAssertEqual(dead.first?.field, "TOTALENTERED")
        XCTAssertEqual(held, ["0 demo/E100/APBILL/1 false 100.1", "2 demo/E100/APBILL/3 false 0.01", "3 demo/E100/APBILL/1 true null"])
        try await emulatorClient(host: try await emulatorHost(), dataset: dataset).deleteDataset(dataset)
    }

    func testRowsTheRouterEncodedAreSentAsEncodedAndRowsEncodedForAnotherMappingAreEncodedAgain() async throws {
        let dataset = uniqueDatasetName("ibq_sw_reencode")
        let topic = "intacct.demo.e100.apbill"
        let apbill = try XCTUnwrap(ObjectMappings.mapping(for: "APBILL"))
        // A router whose mapping types CUSTOM_X: a mapping the table (the sink's) does not have, as after a
        // widening the sink has not seen, or one it has seen since.
        let wider = MessageRouter(company: "demo", mappings: [apbill.adding(FieldMapping("CUSTOM_X", .text))], rendersInsertAllRows: false)
        let current = MessageRouter(company: "demo", mappings: [apbill], rendersInsertAllRows: false)
        var rows: [PendingRow] = []
        for (offset, router) in [wider, current].enumerated() {
            let envelope = sampleEnvelope(recordNo: "\(offset + 1)", fields: [("RECORDNO", "\(offset + 1)"), ("CUSTOM_X", "x\(offset)")])
            let message = KafkaMessage(topic: topic, partition: 0, offset: Int64(offset), key: Data(envelope.key.description.utf8), value: envelope.encoded())
            guard case let .row(_, row) = router.route(message) else { return XCTFail("expected a row") }
            XCTAssertNotNil(row.encoded)
            rows.append(row)
        }
        let rowsToWrite = rows
        let (dead, raw) = try await withSink(dataset: dataset) { sink, rest in
            let dead = try await sink.write(rowsToWrite, table: "apbill")
            let result = try await rest.query("SELECT _kafka_offset, _raw FROM \(rest.qualified("apbill")) ORDER BY _kafka_offset")
            return (dead, result.rows.map { $0["_raw"].string ?? "null" })
        }
        XCTAssertEqual(dead.count, 0)
        XCTAssertEqual(raw.count, 2)
        for (offset, text) in raw.enumerated() {
            XCTAssertTrue(text.contains("CUSTOM_X") && text.contains("x\(offset)"), "the table's mapping has no CUSTOM_X column: _raw keeps it (\(text))")
        }
        try await emulatorClient(host: try await emulatorHost(), dataset: dataset).deleteDataset(dataset)
    }

    func testNothingOfABatchIsWrittenWhenTheCheckBeforeTheWriteRefusesAndTheNextBatchIsWritten() async throws {
        let dataset = uniqueDatasetName("ibq_sw_refused")
        let rows = rows()
        let count = try await withSink(dataset: dataset) { sink, rest in
            do {
                _ = try await sink.write(rows, table: "apbill") { throw Refused() }
                XCTFail("the refusal is thrown")
            } catch is Refused {}
            let refused = try await rest.query("SELECT COUNT(*) AS n FROM \(rest.qualified("apbill"))").rows.first?["n"].int64
            // The stream the refused batch had leased is put back untouched: the next batch starts at its offset 0.
            _ = try await sink.write(rows, table: "apbill")
            let written = try await rest.query("SELECT COUNT(*) AS n FROM \(rest.qualified("apbill"))").rows.first?["n"].int64
            return [refused, written]
        }
        XCTAssertEqual(count, [0, 3], "nothing of a batch whose write was refused is visible; the next batch is written")
        try await emulatorClient(host: try await emulatorHost(), dataset: dataset).deleteDataset(dataset)
    }
}
