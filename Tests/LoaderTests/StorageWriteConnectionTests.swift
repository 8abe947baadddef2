import BigQueryStorageAPI
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Synchronization
import XCTest
@testable import Loader
@testable import StorageWrite

/// How `StorageWriteClient` ends its AppendRows calls, against a grpc-swift server in this process.
final class StorageWriteConnectionTests: XCTestCase {
    /// A call that returned on its last answer used to cancel its stream (RST_STREAM) instead of
    /// half-closing it. swift-nio-http2, under grpc-swift's server, takes more than 200 resets in 30
    /// seconds for an attack and closes the connection, failing every call on it: the loader benchmark
    /// lost a Finalize or an append every few hundred batches. Here 250 calls in a row, every fifth
    /// refused with a row error, must all be answered on one connection, and the server must see each
    /// call's requests end (the client's half-close) rather than a reset.
    func testAppendCallsEndWithAHalfCloseSoHundredsInARowKeepTheConnection() async throws {
        let standIn = HalfCloseCountingBigQueryWrite()
        let transport = HTTP2ServerTransport.Posix(address: .ipv4(host: "127.0.0.1", port: 0), transportSecurity: .plaintext)
        let calls = 250
        let outcomes = try await withGRPCServer(transport: transport, services: [standIn]) { server in
            let address = try await transport.listeningAddress
            let port = try XCTUnwrap(address.ipv4?.port)
            defer { server.beginGracefulShutdown() }
            return try await withStorageWriteClient(StorageWriteEndpoint(host: "127.0.0.1", port: port, usesTLS: false)) { client in
                var outcomes: [AppendRowsOutcome] = []
                for call in 0..<calls {
                    let rows = [Data("row \(call)".utf8), Data((call % 5 == 0 ? "BAD \(call)" : "row \(call)b").utf8)]
                    outcomes.append(try await client.appendRows(stream: "projects/p/datasets/d/tables/t/streams/\(call)", offset: 0,
                                                                descriptor: .init(), rows: rows))
                }
                return outcomes
            }
        }
        XCTAssertEqual(outcomes.filter(\.isComplete).count, calls - calls / 5)
        XCTAssertEqual(outcomes.filter { $0.stop == .rowErrors([StorageWriteRowError(index: 1, code: 1, message: "bad row")]) }.count, calls / 5)
        XCTAssertEqual(standIn.ends, .init(halfClosed: calls, other: 0))
    }

    /// An AppendRows call stays open across appends, so each request has its own deadline: a request the
    /// server never answers fails DEADLINE_EXCEEDED after the request timeout, and the next append to
    /// the stream goes on a new call.
    func testARequestLeftUnansweredFailsAtItsDeadlineAndTheNextAppendOpensANewCall() async throws {
        let standIn = HalfCloseCountingBigQueryWrite()
        let transport = HTTP2ServerTransport.Posix(address: .ipv4(host: "127.0.0.1", port: 0), transportSecurity: .plaintext)
        let stream = "projects/p/datasets/d/tables/t/streams/s"
        let (first, silent, after) = try await withGRPCServer(transport: transport, services: [standIn]) { server in
            let address = try await transport.listeningAddress
            let port = try XCTUnwrap(address.ipv4?.port)
            defer { server.beginGracefulShutdown() }
            return try await withStorageWriteClient(StorageWriteEndpoint(host: "127.0.0.1", port: port, usesTLS: false),
                                                    requestTimeout: .milliseconds(400)) { client in
                let first = try await client.appendRows(stream: stream, offset: 0, descriptor: .init(), rows: [Data("row 0".utf8)])
                let silent: (any Error)?
                do {
                    _ = try await client.appendRows(stream: stream, offset: 1, descriptor: .init(), rows: [Data("SILENT 1".utf8)])
                    silent = nil
                } catch { silent = error }
                let after = try await client.appendRows(stream: stream, offset: 1, descriptor: .init(), rows: [Data("row 1".utf8)])
                return (first, silent, after)
            }
        }
        XCTAssertTrue(first.isComplete)
        XCTAssertEqual((silent as? StorageWriteError)?.code, 4, "DEADLINE_EXCEEDED, got \(String(describing: silent))")
        XCTAssertEqual((silent as? StorageWriteError)?.isRetryable, true)
        XCTAssertTrue(after.isComplete)
        XCTAssertEqual(standIn.calls, 2, "the first call carried the first two requests; the third went on a new call")
        let ends = standIn.ends
        XCTAssertEqual(ends.halfClosed + ends.other, 2, "both calls ended, the one with the unanswered request too: \(ends)")
    }
}

/// Accepts every request with "row" rows and refuses one with a "BAD" row by a row error, as
/// BigQuery does, keeping the call open; never answers a request with a "SILENT" row. Counts the
/// calls and how each call's request stream ended.
final class HalfCloseCountingBigQueryWrite: BigQueryWriteStandIn {
    struct Ends: Equatable {
        var halfClosed = 0
        var other = 0
    }

    private let counts = Mutex(Ends())
    private let opened = Mutex(0)
    var ends: Ends { counts.withLock { $0 } }
    var calls: Int { opened.withLock { $0 } }

    func appendRows(
        request: RPCAsyncSequence<Google_Cloud_Bigquery_Storage_V1_AppendRowsRequest, any Error>,
        response: RPCWriter<Google_Cloud_Bigquery_Storage_V1_AppendRowsResponse>, context: ServerContext
    ) async throws {
        opened.withLock { $0 += 1 }
        do {
            for try await append in request {
                if append.protoRows.rows.serializedRows.contains(where: { $0.starts(with: Data("SILENT".utf8)) }) { continue }
                var answer = Google_Cloud_Bigquery_Storage_V1_AppendRowsResponse()
                answer.writeStream = append.writeStream
                if let bad = append.protoRows.rows.serializedRows.firstIndex(where: { $0.starts(with: Data("BAD".utf8)) }) {
                    answer.error.code = 3
                    answer.error.message = "Errors found while processing rows."
                    var error = Google_Cloud_Bigquery_Storage_V1_RowError()
                    error.index = Int64(bad)
                    error.code = .fieldsError
                    error.message = "bad row"
                    answer.rowErrors = [error]
                } else {
                    answer.appendResult.offset = append.offset
                }
                try await response.write(answer)
            }
            counts.withLock { $0.halfClosed += 1 }
        } catch {
            counts.withLock { $0.other += 1 }
            throw error
        }
    }
}
