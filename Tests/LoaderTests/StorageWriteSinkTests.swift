import BigQueryStorageAPI
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Kafka
import SwiftProtobuf
import Synchronization
import XCTest
@testable import Loader
@testable import StorageWrite

/// `StorageWriteSink`: one COMMITTED stream per table, reused batch after batch at the offset where the
/// previous batch ended.
final class StorageWriteSinkTests: XCTestCase {
    func testTwoBatchesGoToOneCommittedStreamAndAreVisibleAsSoonAsEachIsWritten() async throws {
        let endpoint = try emulatorGRPCEndpoint()
        let rest = emulatorClient(host: try await emulatorHost(), dataset: uniqueDatasetName("ibq_storage_sink"))
        try await rest.ensureDataset()
        try await rest.ensureTable("swtypes", schema: StorageWriteClientTests.mapping.schema)
        let encoder = ProtoRowEncoder(mapping: StorageWriteClientTests.mapping)
        let rows = try StorageWriteClientTests.envelopes().enumerated().map {
            try encoder.row(for: $1, from: KafkaCoordinates(topic: "t", partition: 0, offset: Int64($0)), loadedAt: Date())
        }
        let table = StorageWriteClient.tablePath(project: "demo", dataset: rest.configuration.dataset, table: "swtypes")
        let (first, second, counts) = try await withStorageWriteClient(endpoint) { client in
            let sink = StorageWriteSink(client: client)
            var counts: [Int64?] = []
            let first = try await sink.write(table: table, descriptor: encoder.descriptor, rows: rows)
            // No commit step: the rows are there as soon as the append is answered.
            counts.append(try await rest.query("SELECT COUNT(*) AS n FROM \(rest.qualified("swtypes"))").rows.first?["n"].int64)
            let second = try await sink.write(table: table, descriptor: encoder.descriptor, rows: Array(rows.prefix(2)))
            counts.append(try await rest.query("SELECT COUNT(*) AS n FROM \(rest.qualified("swtypes"))").rows.first?["n"].int64)
            return (first, second, counts)
        }
        XCTAssertEqual(first.committedRows, 3)
        XCTAssertEqual(second.committedRows, 2)
        XCTAssertEqual(first.rejected + second.rejected, [])
        XCTAssertNotNil(first.stream)
        XCTAssertEqual(second.stream, first.stream, "the second batch reuses the first batch's stream")
        XCTAssertEqual(counts, [3, 5], "each batch is visible right after its append, and the second continues the stream's offsets")
        try await rest.deleteDataset(rest.configuration.dataset)
    }

    /// A stand-in, to count streams: one for a table's batches, a new one when the descriptor changes
    /// (schema widening), and one more for a writer that starts while the table's stream is in use.
    func testAStreamIsReusedUntilTheDescriptorChangesAndIsNeverSharedByTwoWritesAtOnce() async throws {
        let standIn = RowErrorBigQueryWrite()
        let transport = HTTP2ServerTransport.Posix(address: .ipv4(host: "127.0.0.1", port: 0), transportSecurity: .plaintext)
        let narrow = Google_Protobuf_DescriptorProto.with { $0.name = "row" }
        let wide = Google_Protobuf_DescriptorProto.with {
            $0.name = "row"
            $0.field = [Google_Protobuf_FieldDescriptorProto.with { $0.name = "custom_x"; $0.number = 1 }]
        }
        let streams = try await withGRPCServer(transport: transport, services: [standIn]) { server in
            let address = try await transport.listeningAddress
            let port = try XCTUnwrap(address.ipv4?.port)
            defer { server.beginGracefulShutdown() }
            return try await withStorageWriteClient(StorageWriteEndpoint(host: "127.0.0.1", port: port, usesTLS: false)) { client in
                let sink = StorageWriteSink(client: client)
                let table = "projects/p/datasets/d/tables/t"
                var streams: [String?] = []
                for (batch, descriptor) in [narrow, narrow, wide, wide].enumerated() {
                    streams.append(try await sink.write(table: table, descriptor: descriptor, rows: [Data("row \(batch)".utf8)]).stream)
                }
                // A second write of the table while the first holds the stream: its check runs while leased.
                let inner = Mutex<String?>(nil)
                let outer = try await sink.write(table: table, descriptor: wide, rows: [Data("row 4".utf8)]) {
                    let stream = try await sink.write(table: table, descriptor: wide, rows: [Data("row 5".utf8)]).stream
                    inner.withLock { $0 = stream }
                }
                return streams + [inner.withLock { $0 }, outer.stream]
            }
        }
        XCTAssertEqual(streams.count, 6)
        XCTAssertEqual(streams[0], streams[1], "one stream for the batches of one descriptor")
        XCTAssertNotEqual(streams[2], streams[1], "a widened descriptor gets a new stream")
        XCTAssertEqual(streams[3], streams[2])
        XCTAssertEqual(streams[5], streams[2], "the outer write had leased the stream again")
        XCTAssertNotEqual(streams[4], streams[5], "a write that starts while the stream is leased gets its own")
        XCTAssertEqual(standIn.streamsCreated, 3)
        XCTAssertEqual(standIn.committed, ["row 0", "row 1", "row 2", "row 3", "row 5", "row 4"])
        XCTAssertEqual(standIn.offsetRefusals, 0, "no append met rows already at its offset, nor a gap")
    }

    /// bqemulator answers a bad value with INVALID_ARGUMENT for the whole request but no row errors,
    /// so the Write API's row errors come from a stand-in: a BigQueryWrite server in this process that
    /// refuses, with a RowError each, every row whose bytes say "BAD", the way BigQuery refuses a
    /// request with bad rows (nothing of it written).
    func testRowsWithRowErrorsAreSetAsideAndTheRestAreResentAtTheSameOffset() async throws {
        let standIn = RowErrorBigQueryWrite()
        let commit = try await writeTenRowsWithTwoBad(to: standIn)
        XCTAssertEqual(commit.rejected.map(\.index), [3, 7])
        XCTAssertEqual(commit.rejected.first?.message, "BAD 3 does not fit")
        XCTAssertEqual(commit.rejected.first?.codeName, "FIELDS_ERROR")
        XCTAssertEqual(commit.committedRows, 8)
        XCTAssertEqual(standIn.committed, (0..<10).filter { $0 != 3 && $0 != 7 }.map { "row \($0)" })
        XCTAssertEqual(standIn.offsetRefusals, 0)
    }

    /// Rows 0-9 with rows 3 and 7 bad, four rows a request (so the bad rows fall in different requests,
    /// and the first request lands before the second is refused), written through `standIn`.
    private func writeTenRowsWithTwoBad(to standIn: RowErrorBigQueryWrite) async throws -> StorageWriteCommit {
        let transport = HTTP2ServerTransport.Posix(address: .ipv4(host: "127.0.0.1", port: 0), transportSecurity: .plaintext)
        let rows = (0..<10).map { Data(($0 == 3 || $0 == 7 ? "BAD \($0)" : "row \($0)").utf8) }
        return try await withGRPCServer(transport: transport, services: [standIn]) { server in
            let address = try await transport.listeningAddress
            let port = try XCTUnwrap(address.ipv4?.port)
            defer { server.beginGracefulShutdown() }
            return try await withStorageWriteClient(StorageWriteEndpoint(host: "127.0.0.1", port: port, usesTLS: false), maxRequestBytes: 155) { client in
                try await StorageWriteSink(client: client).write(table: "projects/p/datasets/d/tables/t", descriptor: .init(), rows: rows)
            }
        }
    }

    /// bqemulator's own answer to a bad value: INVALID_ARGUMENT for the request, no row errors. The sink
    /// halves the refused request at the same offset until the bad row is alone; rows before it stay.
    func testARequestRefusedWholeWithoutRowErrorsIsHalvedUntilTheBadRowsAreAlone() async throws {
        let standIn = RowErrorBigQueryWrite(rowErrors: false)
        let commit = try await writeTenRowsWithTwoBad(to: standIn)
        XCTAssertEqual(commit.rejected.map(\.index), [3, 7])
        XCTAssertEqual(commit.rejected.first?.message, "cannot read BAD 3")
        XCTAssertEqual(commit.rejected.first?.codeName, "INVALID_ARGUMENT", "the dead letter names the status the request was refused with")
        XCTAssertEqual(commit.committedRows, 8)
        XCTAssertEqual(standIn.committed, (0..<10).filter { $0 != 3 && $0 != 7 }.map { "row \($0)" }, "every good row once, in order")
        XCTAssertEqual(standIn.offsetRefusals, 0)
        XCTAssertEqual(standIn.streamsCreated, 1)
    }

    /// The same stand-in, losing the answer to the second request after keeping its rows: the sink
    /// retries on the same stream, the landed request answers ALREADY_EXISTS, and every row is
    /// written exactly once. The next batch continues the stream after them.
    func testAnAppendWhoseAnswerWasLostIsRetriedAndAlreadyExistsCountsAsWritten() async throws {
        let standIn = RowErrorBigQueryWrite(loseAnswerAfterRequests: 2)
        let transport = HTTP2ServerTransport.Posix(address: .ipv4(host: "127.0.0.1", port: 0), transportSecurity: .plaintext)
        let rows = (0..<10).map { Data("row \($0)".utf8) }
        let commit = try await withGRPCServer(transport: transport, services: [standIn]) { server in
            let address = try await transport.listeningAddress
            let port = try XCTUnwrap(address.ipv4?.port)
            defer { server.beginGracefulShutdown() }
            return try await withStorageWriteClient(StorageWriteEndpoint(host: "127.0.0.1", port: port, usesTLS: false), maxRequestBytes: 155) { client in
                let sink = StorageWriteSink(client: client)
                let commit = try await sink.write(table: "projects/p/datasets/d/tables/t", descriptor: .init(), rows: rows)
                _ = try await sink.write(table: "projects/p/datasets/d/tables/t", descriptor: .init(), rows: [Data("row 10".utf8)])
                return commit
            }
        }
        XCTAssertTrue(standIn.answersLost, "the stand-in never lost an answer: the test proves nothing")
        XCTAssertEqual(commit.committedRows, 10)
        XCTAssertEqual(commit.rejected, [])
        XCTAssertEqual(standIn.offsetRefusals, 2, "the retry met both requests that had landed: ALREADY_EXISTS each")
        XCTAssertEqual(standIn.committed, (0...10).map { "row \($0)" })
        XCTAssertEqual(standIn.streamsCreated, 1)
    }

    /// Batches of one table share one AppendRows call; a server that ends calls (a server may end one at
    /// any time) costs a new call, and no batch fails or lands twice because of it.
    func testATablesBatchesShareOneAppendCallAndACallTheServerEndedIsReplaced() async throws {
        let table = "projects/p/datasets/d/tables/t"
        func write(batches: Int, to standIn: RowErrorBigQueryWrite) async throws -> [StorageWriteCommit] {
            let transport = HTTP2ServerTransport.Posix(address: .ipv4(host: "127.0.0.1", port: 0), transportSecurity: .plaintext)
            return try await withGRPCServer(transport: transport, services: [standIn]) { server in
                let address = try await transport.listeningAddress
                let port = try XCTUnwrap(address.ipv4?.port)
                defer { server.beginGracefulShutdown() }
                return try await withStorageWriteClient(StorageWriteEndpoint(host: "127.0.0.1", port: port, usesTLS: false)) { client in
                    let sink = StorageWriteSink(client: client)
                    var commits: [StorageWriteCommit] = []
                    for batch in 0..<batches {
                        commits.append(try await sink.write(table: table, descriptor: .init(), rows: [Data("row \(2 * batch)".utf8), Data("row \(2 * batch + 1)".utf8)]))
                    }
                    return commits
                }
            }
        }
        let steady = RowErrorBigQueryWrite()
        let steadyCommits = try await write(batches: 10, to: steady)
        XCTAssertEqual(steadyCommits.map(\.committedRows), Array(repeating: 2, count: 10))
        XCTAssertEqual(steady.calls, 1, "ten batches of one table, one AppendRows call")
        XCTAssertEqual(steady.committed, (0..<20).map { "row \($0)" })

        let ending = RowErrorBigQueryWrite(endCallsAfterRequests: 3)
        let endingCommits = try await write(batches: 10, to: ending)
        XCTAssertEqual(endingCommits.map(\.committedRows), Array(repeating: 2, count: 10))
        XCTAssertGreaterThanOrEqual(ending.calls, 4, "calls end after three requests: ten batches need four at least")
        XCTAssertEqual(ending.committed, (0..<20).map { "row \($0)" }, "every row once, in order")
        XCTAssertEqual(ending.streamsCreated, 1)
    }
}

/// In-memory COMMITTED streams behind the BigQueryWrite API: each enforces its offsets (ALREADY_EXISTS
/// for rows it holds, OUT_OF_RANGE past its end) and shows its rows as soon as they are appended
/// (`committed`, all streams in order of appending). Requests with "BAD" rows are refused with a
/// RowError each, or with `rowErrors: false` as bqemulator does: INVALID_ARGUMENT and no row errors.
/// With `loseAnswerAfterRequests`, the AppendRows call that brings that many accepted requests keeps
/// the last one's rows but fails with UNAVAILABLE instead of answering it, as a connection lost after
/// BigQuery wrote the rows. With `endCallsAfterRequests`, every call ends (status OK) once it has
/// answered that many requests, as a server may.
final class RowErrorBigQueryWrite: BigQueryWriteStandIn {
    private struct State {
        var streams: [String: Int64] = [:]
        var committed: [String] = []
        var acceptedRequests = 0
        var offsetRefusals = 0
        var answerLost = false
        var calls = 0
    }

    private let state = Mutex(State())
    private let loseAnswerAfterRequests: Int?
    private let rowErrors: Bool
    private let endCallsAfterRequests: Int?
    var committed: [String] { state.withLock { $0.committed } }
    /// AppendRows calls opened.
    var calls: Int { state.withLock { $0.calls } }
    var answersLost: Bool { state.withLock { $0.answerLost } }
    var streamsCreated: Int { state.withLock { $0.streams.count } }
    /// Appends answered ALREADY_EXISTS or OUT_OF_RANGE.
    var offsetRefusals: Int { state.withLock { $0.offsetRefusals } }

    init(loseAnswerAfterRequests: Int? = nil, rowErrors: Bool = true, endCallsAfterRequests: Int? = nil) {
        self.loseAnswerAfterRequests = loseAnswerAfterRequests
        self.endCallsAfterRequests = endCallsAfterRequests
        self.rowErrors = rowErrors
    }

    func createWriteStream(request: Google_Cloud_Bigquery_Storage_V1_CreateWriteStreamRequest, context: ServerContext) async throws -> Google_Cloud_Bigquery_Storage_V1_WriteStream {
        var stream = request.writeStream
        stream.name = state.withLock { state in
            let name = request.parent + "/streams/s\(state.streams.count)"
            state.streams[name] = 0
            return name
        }
        return stream
    }

    func appendRows(
        request: RPCAsyncSequence<Google_Cloud_Bigquery_Storage_V1_AppendRowsRequest, any Error>,
        response: RPCWriter<Google_Cloud_Bigquery_Storage_V1_AppendRowsResponse>, context: ServerContext
    ) async throws {
        state.withLock { $0.calls += 1 }
        var answered = 0
        for try await append in request {
            if let endCallsAfterRequests, answered == endCallsAfterRequests { return }
            answered += 1
            let texts = append.protoRows.rows.serializedRows.map { String(decoding: $0, as: UTF8.self) }
            var answer = Google_Cloud_Bigquery_Storage_V1_AppendRowsResponse()
            answer.writeStream = append.writeStream
            let bad = texts.enumerated().filter { $0.element.hasPrefix("BAD") }
            if !bad.isEmpty, rowErrors {
                answer.error.code = 3
                answer.error.message = "Errors found while processing rows."
                answer.rowErrors = bad.map {
                    var error = Google_Cloud_Bigquery_Storage_V1_RowError()
                    error.index = Int64($0.offset)
                    error.code = .fieldsError
                    error.message = "\($0.element) does not fit"
                    return error
                }
            } else if let first = bad.first {
                answer.error.code = 3
                answer.error.message = "cannot read \(first.element)"
            } else {
                enum Verdict { case accepted, acceptedAnswerLost, alreadyExists, outOfRange, noStream }
                let verdict = state.withLock { state -> Verdict in
                    guard let end = state.streams[append.writeStream] else { return .noStream }
                    if append.offset.value < end { state.offsetRefusals += 1; return .alreadyExists }
                    guard append.offset.value == end else { state.offsetRefusals += 1; return .outOfRange }
                    state.streams[append.writeStream] = end + Int64(texts.count)
                    state.committed += texts
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
                case .noStream:
                    answer.error.code = 5
                    answer.error.message = "no stream \(append.writeStream)"
                }
            }
            try await response.write(answer)
        }
    }
}
