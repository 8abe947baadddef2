import BigQueryStorageAPI
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Kafka
import SwiftProtobuf
import Synchronization
import XCTest
@testable import Loader

/// `StorageWriteSink`: one batch, one PENDING stream, committed whole.
final class StorageWriteSinkTests: XCTestCase {
    func testABatchIsCommittedWholeIntoTheEmulatorTable() async throws {
        let endpoint = try emulatorGRPCEndpoint()
        let rest = emulatorClient(host: try await emulatorHost(), dataset: uniqueDatasetName("ibq_storage_sink"))
        try await rest.ensureDataset()
        try await rest.ensureTable("swtypes", schema: StorageWriteClientTests.mapping.schema)
        let encoder = ProtoRowEncoder(mapping: StorageWriteClientTests.mapping)
        let rows = try StorageWriteClientTests.envelopes().enumerated().map {
            try encoder.row(for: $1, from: KafkaCoordinates(topic: "t", partition: 0, offset: Int64($0)), loadedAt: Date())
        }
        let table = StorageWriteClient.tablePath(project: "demo", dataset: rest.configuration.dataset, table: "swtypes")
        let commit = try await withStorageWriteClient(endpoint) { client in
            try await StorageWriteSink(client: client).write(table: table, descriptor: encoder.descriptor, rows: rows)
        }
        XCTAssertEqual(commit.committedRows, 3)
        XCTAssertEqual(commit.rejected, [])
        XCTAssertNotNil(commit.commitTime)
        let count = try await rest.query("SELECT COUNT(*) AS n FROM \(rest.qualified("swtypes"))")
        XCTAssertEqual(count.rows.first?["n"], .int64(3))
        try await rest.deleteDataset(rest.configuration.dataset)
    }

    /// bqemulator answers a bad value with INVALID_ARGUMENT for the whole request but no row errors,
    /// so the Write API's row errors come from a stand-in: a BigQueryWrite server in this process that
    /// refuses, with a RowError each, every row whose bytes say "BAD", the way BigQuery refuses a
    /// request with bad rows (nothing of it written).
    func testRowsWithRowErrorsAreSetAsideAndTheRestAreResentAndCommitted() async throws {
        let standIn = RowErrorBigQueryWrite()
        let transport = HTTP2ServerTransport.Posix(address: .ipv4(host: "127.0.0.1", port: 0), transportSecurity: .plaintext)
        let rows = (0..<10).map { Data(($0 == 3 || $0 == 7 ? "BAD \($0)" : "row \($0)").utf8) }
        let commit = try await withGRPCServer(transport: transport, services: [standIn]) { server in
            let address = try await transport.listeningAddress
            let port = try XCTUnwrap(address.ipv4?.port)
            defer { server.beginGracefulShutdown() }
            // Four rows a request, so the bad rows fall in two different requests.
            return try await withStorageWriteClient(StorageWriteEndpoint(host: "127.0.0.1", port: port, usesTLS: false), maxRequestBytes: 155) { client in
                try await StorageWriteSink(client: client).write(table: "projects/p/datasets/d/tables/t", descriptor: .init(), rows: rows)
            }
        }
        XCTAssertEqual(commit.rejected.map(\.index), [3, 7])
        XCTAssertEqual(commit.rejected.first?.message, "BAD 3 does not fit")
        XCTAssertEqual(commit.committedRows, 8)
        XCTAssertEqual(standIn.committed, (0..<10).filter { $0 != 3 && $0 != 7 }.map { "row \($0)" })
    }

    /// The same stand-in, losing the answer to the second request after keeping its rows: the sink
    /// retries on the same stream, the landed request answers ALREADY_EXISTS, and every row is
    /// committed exactly once.
    func testAnAppendWhoseAnswerWasLostIsRetriedAndAlreadyExistsCountsAsWritten() async throws {
        let standIn = RowErrorBigQueryWrite(loseAnswerAfterRequests: 2)
        let transport = HTTP2ServerTransport.Posix(address: .ipv4(host: "127.0.0.1", port: 0), transportSecurity: .plaintext)
        let rows = (0..<10).map { Data("row \($0)".utf8) }
        let commit = try await withGRPCServer(transport: transport, services: [standIn]) { server in
            let address = try await transport.listeningAddress
            let port = try XCTUnwrap(address.ipv4?.port)
            defer { server.beginGracefulShutdown() }
            return try await withStorageWriteClient(StorageWriteEndpoint(host: "127.0.0.1", port: port, usesTLS: false), maxRequestBytes: 155) { client in
                try await StorageWriteSink(client: client).write(table: "projects/p/datasets/d/tables/t", descriptor: .init(), rows: rows)
            }
        }
        XCTAssertTrue(standIn.answersLost, "the stand-in never lost an answer: the test proves nothing")
        XCTAssertEqual(commit.committedRows, 10)
        XCTAssertEqual(commit.rejected, [])
        XCTAssertEqual(standIn.committed, (0..<10).map { "row \($0)" })
    }
}

/// An in-memory PENDING stream behind the BigQueryWrite API: enforces offsets (ALREADY_EXISTS for rows
/// it holds, OUT_OF_RANGE past its end), refuses requests with "BAD" rows using row errors, and shows
/// rows only after finalize and commit. With `loseAnswerAfterRequests`, the AppendRows call that
/// brings that many accepted requests keeps the last one's rows but fails with UNAVAILABLE instead of
/// answering it, as a connection lost after BigQuery wrote the rows.
final class RowErrorBigQueryWrite: BigQueryWriteStandIn {
    private struct State {
        var rows: [String] = []
        var committed: [String] = []
        var finalized = false
        var acceptedRequests = 0
        var answerLost = false
    }

    private let state = Mutex(State())
    private let loseAnswerAfterRequests: Int?
    var committed: [String] { state.withLock { $0.committed } }
    var answersLost: Bool { state.withLock { $0.answerLost } }

    init(loseAnswerAfterRequests: Int? = nil) {
        self.loseAnswerAfterRequests = loseAnswerAfterRequests
    }

    func createWriteStream(request: Google_Cloud_Bigquery_Storage_V1_CreateWriteStreamRequest, context: ServerContext) async throws -> Google_Cloud_Bigquery_Storage_V1_WriteStream {
        var stream = request.writeStream
        stream.name = request.parent + "/streams/only"
        return stream
    }

    func appendRows(
        request: RPCAsyncSequence<Google_Cloud_Bigquery_Storage_V1_AppendRowsRequest, any Error>,
        response: RPCWriter<Google_Cloud_Bigquery_Storage_V1_AppendRowsResponse>, context: ServerContext
    ) async throws {
        for try await append in request {
            let texts = append.protoRows.rows.serializedRows.map { String(decoding: $0, as: UTF8.self) }
            var answer = Google_Cloud_Bigquery_Storage_V1_AppendRowsResponse()
            answer.writeStream = append.writeStream
            let bad = texts.enumerated().filter { $0.element.hasPrefix("BAD") }
            if !bad.isEmpty {
                answer.error.code = 3
                answer.error.message = "Errors found while processing rows."
                answer.rowErrors = bad.map {
                    var error = Google_Cloud_Bigquery_Storage_V1_RowError()
                    error.index = Int64($0.offset)
                    error.code = .fieldsError
                    error.message = "\($0.element) does not fit"
                    return error
                }
            } else {
                enum Verdict { case accepted, acceptedAnswerLost, alreadyExists, outOfRange }
                let verdict = state.withLock { state -> Verdict in
                    if append.offset.value < state.rows.count { return .alreadyExists }
                    guard append.offset.value == state.rows.count else { return .outOfRange }
                    state.rows += texts
                    state.acceptedRequests += 1
                    if state.acceptedRequests == loseAnswerAfterRequests, !state.answerLost {
                        state.answerLost = true
                        return .acceptedAnswerLost
                    }
                    return .accepted
                }
                switch verdict {
                case .accepted:
                    answer.appendResult.offset = append.offset
                case .acceptedAnswerLost:
                    throw RPCError(code: .unavailable, message: "connection reset")
                case .alreadyExists:
                    answer.error.code = 6
                    answer.error.message = "offset \(append.offset.value) already written"
                case .outOfRange:
                    answer.error.code = 11
                    answer.error.message = "offset \(append.offset.value) is not the end of the stream"
                }
            }
            try await response.write(answer)
        }
    }

    func getWriteStream(request: Google_Cloud_Bigquery_Storage_V1_GetWriteStreamRequest, context: ServerContext) async throws -> Google_Cloud_Bigquery_Storage_V1_WriteStream {
        var stream = Google_Cloud_Bigquery_Storage_V1_WriteStream()
        stream.name = request.name
        return stream
    }

    func finalizeWriteStream(request: Google_Cloud_Bigquery_Storage_V1_FinalizeWriteStreamRequest, context: ServerContext) async throws -> Google_Cloud_Bigquery_Storage_V1_FinalizeWriteStreamResponse {
        var answer = Google_Cloud_Bigquery_Storage_V1_FinalizeWriteStreamResponse()
        answer.rowCount = state.withLock { state in
            state.finalized = true
            return Int64(state.rows.count)
        }
        return answer
    }

    func batchCommitWriteStreams(request: Google_Cloud_Bigquery_Storage_V1_BatchCommitWriteStreamsRequest, context: ServerContext) async throws -> Google_Cloud_Bigquery_Storage_V1_BatchCommitWriteStreamsResponse {
        try state.withLock { state in
            guard state.finalized else { throw RPCError(code: .failedPrecondition, message: "stream not finalized") }
            state.committed = state.rows
        }
        var answer = Google_Cloud_Bigquery_Storage_V1_BatchCommitWriteStreamsResponse()
        answer.commitTime = .init(date: Date())
        return answer
    }
}
