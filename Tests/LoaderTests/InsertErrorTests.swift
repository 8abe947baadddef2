import Kafka
import Foundation
import HTTP
import Operations
import XCTest
@testable import Loader

/// Per-row failures: caught by the RowConverter before sending, reported by BigQuery as `insertErrors`,
/// or (emulator) answered with HTTP 500 for the whole request.
final class InsertErrorTests: XCTestCase {
    let topic = KafkaCoordinates(topic: "intacct.demo.e100.apbill", partition: 0, offset: 0)

    func testANonNumericAmountBecomesARowErrorAndTheRestOfTheBatchIsWritten() async throws {
        let host = try await emulatorHost()
        let client = emulatorClient(host: host, dataset: uniqueDatasetName("ibq_rowerr"))
        try await client.ensureDataset()
        let mapping = try XCTUnwrap(ObjectMappings.mapping(for: "APBILL"))
        try await client.ensureTable(mapping.tableName, schema: mapping.schema)
        let converter = RowConverter(mapping: mapping)

        var rows: [InsertAllRow] = []
        var rejected: [(index: Int, error: RowConversionError)] = []
        for index in 0..<10 {
            let amount = index == 3 ? "12x.00" : "\(index).50"
            do {
                rows.append(try converter.row(for: sampleEnvelope(recordNo: "\(index)", fields: [("RECORDNO", "\(index)"), ("TOTALENTERED", amount)]), from: topic))
            } catch let error as RowConversionError {
                rejected.append((index, error))
            }
        }
        XCTAssertEqual(rejected.map(\.index), [3])
        XCTAssertEqual(rejected.first?.error.field, "TOTALENTERED")
        XCTAssertEqual(rejected.first?.error.recordKey, "demo/E100/APBILL/3")

        let result = try await client.insertAll(into: mapping.tableName, rows: rows)
        XCTAssertTrue(result.allWritten)
        let count = try await client.query("SELECT COUNT(*) AS n, SUM(totalentered) AS total FROM \(client.qualified(mapping.tableName))")
        XCTAssertEqual(count.rows.first?["n"].int64, 9)
        XCTAssertEqual(count.rows.first?["total"].canonicalNumeric, "46.5")  // Σ i.50 over 0..<10 without 3
        try await client.deleteDataset(client.configuration.dataset)
    }

    func testTheEmulatorsInsertErrorsComeBackAsRowErrorsWithIndexAndReason() async throws {
        // bqemulator reports insertErrors only with skipInvalidRows=true (without it, a bad row is a 500).
        let host = try await emulatorHost()
        let client = emulatorClient(host: host, dataset: uniqueDatasetName("ibq_inserterr"))
        try await client.ensureDataset()
        let mapping = try XCTUnwrap(ObjectMappings.mapping(for: "APBILL"))
        try await client.ensureTable(mapping.tableName, schema: mapping.schema)
        let rows = [
            InsertAllRow(insertID: "a", json: Data(#"{"_key":"demo/E100/APBILL/1","recordno":"1"}"#.utf8)),
            InsertAllRow(insertID: "b", json: Data(#"{"_key":"demo/E100/APBILL/2","recordno":"not-a-number"}"#.utf8)),
            InsertAllRow(insertID: "c", json: Data(#"{"_key":"demo/E100/APBILL/3","recordno":"3"}"#.utf8)),
        ]
        let result = try await client.insertAll(into: mapping.tableName, rows: rows, skipInvalidRows: true)
        XCTAssertEqual(result.rowErrors.map(\.index), [1])
        XCTAssertEqual(result.rowErrors.first?.reason, "invalid")
        XCTAssertEqual(result.permanentFailures, [1])
        let count = try await client.query("SELECT COUNT(*) AS n FROM \(client.qualified(mapping.tableName))")
        XCTAssertEqual(count.rows.first?["n"].int64, 2)

        // The same request with skipInvalidRows=false: the emulator answers 500, surfaced as retryable.
        do {
            _ = try await client.insertAll(into: mapping.tableName, rows: rows)
            XCTFail("the emulator accepted a malformed row")
        } catch let error as BigQueryError {
            XCTAssertEqual(error.status, 500)
            XCTAssertTrue(error.isRetryable)
        }
        try await client.deleteDataset(client.configuration.dataset)
    }

    func testBigQueryStyleInvalidAndStoppedRowsAreClassifiedPermanentAndRetryable() async throws {
        // Real BigQuery with skipInvalidRows=false: the bad row is `invalid`, every other row `stopped`.
        let stub = try await StubBigQuery.start { _ in
            (200, #"""
            {"kind":"bigquery#tableDataInsertAllResponse","insertErrors":[
              {"index":1,"errors":[{"reason":"invalid","location":"totalentered","debugInfo":"","message":"Invalid NUMERIC value: 12x.00"}]},
              {"index":0,"errors":[{"reason":"stopped","location":"","debugInfo":"","message":""}]},
              {"index":2,"errors":[{"reason":"stopped","location":"","debugInfo":"","message":""}]}]}
            """#)
        }
        let client = stub.client()
        let rows = (0..<3).map { InsertAllRow(insertID: "\($0)", json: Data("{}".utf8)) }
        let result = try await client.insertAll(into: "apbill", rows: rows)
        XCTAssertEqual(result.permanentFailures, [1])
        XCTAssertEqual(result.retryableFailures, [0, 2])
        XCTAssertEqual(result.rowErrors[1].location, "totalentered")
        XCTAssertTrue(String(describing: result.rowErrors[1]).contains("row 1: invalid at totalentered"))
        let body = try XCTUnwrap(JSONSerialization.jsonObject(with: stub.lastBody()) as? [String: Any])
        XCTAssertEqual(body["skipInvalidRows"] as? Bool, false)
        XCTAssertEqual(body["ignoreUnknownValues"] as? Bool, false)
        XCTAssertEqual((body["rows"] as? [[String: Any]])?.map { $0["insertId"] as? String }, ["0", "1", "2"])
        await stub.stop()
    }

    func testARowBigQueryCallsInvalidBecomesADeadLetterCarryingReasonLocationAndIndex() async throws {
        let answers = AnswerQueue([
            (200, #"""
            {"kind":"bigquery#tableDataInsertAllResponse","insertErrors":[
              {"index":0,"errors":[{"reason":"stopped","location":"","message":""}]},
              {"index":1,"errors":[{"reason":"invalid","location":"totalentered","message":"Invalid NUMERIC value: 12x.00"}]}]}
            """#),
            (200, #"{"kind":"bigquery#tableDataInsertAllResponse"}"#),
        ])
        let stub = try await StubBigQuery.start { request in
            request.path.hasSuffix("/insertAll") ? answers.next() : (200, #"{"kind":"bigquery#dataset"}"#)
        }
        let client = stub.client()
        // A table without a mapping: the preparer only checks the dataset, so the stub needs no table.
        let writer = TableWriter(client: client, preparer: TablePreparer(client: client, logger: .init(label: "stub")), logger: .init(label: "stub"))
        let rows = (0..<2).map {
            PendingRow(row: InsertAllRow(insertID: "\($0)", json: Data("{}".utf8)), source: KafkaCoordinates(topic: topic.topic, partition: 0, offset: Int64($0)),
                       recordKey: "demo/E100/APBILL/\($0)", original: Data(#"{"recordno":"\#($0)"}"#.utf8))
        }
        let letters = try await writer.write(rows, table: "unmapped")
        let letter = try XCTUnwrap(letters.first)
        XCTAssertEqual(letters.count, 1)
        XCTAssertEqual(letter.key, Data("demo/E100/APBILL/1".utf8))
        XCTAssertEqual(letter.bigQuery, BigQueryRejection(reason: "invalid", location: "totalentered",
                                                          message: "Invalid NUMERIC value: 12x.00", index: 1, status: nil))
        XCTAssertEqual(letter.detail, letter.bigQuery?.description, "the free text is derived from the fields")

        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: letter.encoded()) as? [String: Any])
        let bigQuery = try XCTUnwrap(json["bigquery"] as? [String: Any])
        XCTAssertEqual(bigQuery["reason"] as? String, "invalid")
        XCTAssertEqual(bigQuery["location"] as? String, "totalentered")
        XCTAssertEqual(bigQuery["index"] as? Int, 1)
        XCTAssertTrue(bigQuery["status"] is NSNull)

        let metadata = DeadLetterPublisher.metadata(letter)
        XCTAssertEqual(metadata["bigquery_reason"], "invalid")
        XCTAssertEqual(metadata["bigquery_location"], "totalentered")
        XCTAssertEqual(metadata["bigquery_row_index"], "1")
        XCTAssertEqual(stub.requestCount(), 3, "datasets.get, the insert, and the stopped row again")
        await stub.stop()
    }

    func testAServerErrorThatIsNotJSONIsStillATypedRetryableErrorWithTheBodysStart() async throws {
        let stub = try await StubBigQuery.start { _ in (500, "<html><body>Internal Server Error</body></html>") }
        do {
            _ = try await stub.client().insertAll(into: "apbill", rows: [InsertAllRow(insertID: "1", json: Data("{}".utf8))])
            XCTFail("a 500 was taken for success")
        } catch let error as BigQueryError {
            XCTAssertEqual(error.kind, .http)
            XCTAssertEqual(error.status, 500)
            XCTAssertNil(error.reason)
            XCTAssertTrue(error.isRetryable)
            XCTAssertEqual(error.bodyExcerpt, "<html><body>Internal Server Error</body></html>")
            XCTAssertEqual(error.logMetadata["http_status"], "500")
            XCTAssertEqual(BigQueryRejection(error).status, 500)
        }
        await stub.stop()
    }

    func testASuccessfulAnswerThatDoesNotDecodeNamesTheMemberThatFailed() async throws {
        let stub = try await StubBigQuery.start { _ in (200, #"{"insertErrors":[{"index":"one","errors":[]}]}"#) }
        do {
            _ = try await stub.client().insertAll(into: "apbill", rows: [InsertAllRow(insertID: "1", json: Data("{}".utf8))])
            XCTFail("an unreadable insertAll answer was accepted")
        } catch let error as BigQueryError {
            XCTAssertEqual(error.kind, .invalidResponse)
            XCTAssertFalse(error.isRetryable)
            XCTAssertTrue(error.message.contains("insertErrors.0.index"), error.message)
            XCTAssertNotNil(error.bodyExcerpt)
        }
        await stub.stop()
    }

    func testQuotaAndServerErrorsAreRetriedThenSucceed() async throws {
        let answers = AnswerQueue([
            (403, #"{"error":{"code":403,"message":"Exceeded rate limits","errors":[{"reason":"rateLimitExceeded","message":"Exceeded rate limits"}]}}"#),
            (503, #"{"error":{"code":503,"message":"backend","errors":[{"reason":"backendError","message":"backend"}]}}"#),
            (200, #"{"kind":"bigquery#tableDataInsertAllResponse"}"#),
        ])
        let stub = try await StubBigQuery.start { _ in answers.next() }
        let result = try await stub.client().insertAll(into: "apbill", rows: [InsertAllRow(insertID: "1", json: Data("{}".utf8))])
        XCTAssertTrue(result.allWritten)
        XCTAssertEqual(stub.requestCount(), 3)
        await stub.stop()
    }

    func testANotFoundRightAfterCreatingTheTableIsRetried() async throws {
        let answers = AnswerQueue([
            (404, #"{}"#),  // tables.get: not there yet
            (200, #"{"kind":"bigquery#table"}"#),  // tables.insert
            (404, #"{"error":{"code":404,"message":"Not found: Table demo:ds.apbill","errors":[{"reason":"notFound","message":"Not found"}]}}"#),
            (200, #"{"kind":"bigquery#tableDataInsertAllResponse"}"#),
        ])
        let stub = try await StubBigQuery.start { _ in answers.next() }
        let client = stub.client()
        let mapping = try XCTUnwrap(ObjectMappings.mapping(for: "APBILL"))
        let change = try await client.ensureTable("apbill", schema: mapping.schema)
        XCTAssertEqual(change, .created)
        let result = try await client.insertAll(into: "apbill", rows: [InsertAllRow(insertID: "1", json: Data("{}".utf8))])
        XCTAssertTrue(result.allWritten)
        await stub.stop()
    }
}
