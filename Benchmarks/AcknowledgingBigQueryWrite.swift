import BigQueryStorageAPI
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2

/// A BigQueryWrite server that accepts everything at once and keeps nothing: AppendRows answers each
/// request with its own offset as soon as it is read. It runs in a child process
/// (`storage-write-sink`), so the benchmark's CPU figure is the encoder's and the client's alone.
struct AcknowledgingBigQueryWrite: Google_Cloud_Bigquery_Storage_V1_BigQueryWrite.SimpleServiceProtocol {
    /// Counts appended rows when set (the loader benchmark's feeder); counting is a few integer adds per request.
    var counter: StorageWriteRowCounter?
    /// How long each AppendRows request takes to answer (the loader benchmark's `--sink-delay-ms`, to play a
    /// slow BigQuery; the loader appends to COMMITTED streams, so the append is its write).
    var commitDelay: Duration = .zero

    /// A plaintext loopback transport that takes AppendRows requests as large as BigQuery does (10 MB):
    /// grpc-swift's default server limit is 4 MiB, which refused the loader's larger appends, so every
    /// such batch was retried and its rows counted twice.
    static func loopbackTransport() -> HTTP2ServerTransport.Posix {
        HTTP2ServerTransport.Posix(address: .ipv4(host: "127.0.0.1", port: 0), transportSecurity: .plaintext,
                                   config: .defaults { $0.rpc.maxRequestPayloadSize = 16 * 1024 * 1024 })
    }

    func createWriteStream(request: Google_Cloud_Bigquery_Storage_V1_CreateWriteStreamRequest, context: ServerContext) async throws -> Google_Cloud_Bigquery_Storage_V1_WriteStream {
        var stream = request.writeStream
        stream.name = request.parent + "/streams/" + UUID().uuidString.lowercased()
        return stream
    }

    func appendRows(
        request: RPCAsyncSequence<Google_Cloud_Bigquery_Storage_V1_AppendRowsRequest, any Error>,
        response: RPCWriter<Google_Cloud_Bigquery_Storage_V1_AppendRowsResponse>, context: ServerContext
    ) async throws {
        for try await append in request {
            if commitDelay > .zero { try await Task.sleep(for: commitDelay) }
            counter?.add(append.protoRows.rows.serializedRows.count)
            var answer = Google_Cloud_Bigquery_Storage_V1_AppendRowsResponse()
            answer.writeStream = append.writeStream
            if append.hasOffset { answer.appendResult.offset = append.offset } else { answer.appendResult = .init() }
            try await response.write(answer)
        }
    }

    func getWriteStream(request: Google_Cloud_Bigquery_Storage_V1_GetWriteStreamRequest, context: ServerContext) async throws -> Google_Cloud_Bigquery_Storage_V1_WriteStream {
        var stream = Google_Cloud_Bigquery_Storage_V1_WriteStream()
        stream.name = request.name
        return stream
    }

    func finalizeWriteStream(request: Google_Cloud_Bigquery_Storage_V1_FinalizeWriteStreamRequest, context: ServerContext) async throws -> Google_Cloud_Bigquery_Storage_V1_FinalizeWriteStreamResponse {
        Google_Cloud_Bigquery_Storage_V1_FinalizeWriteStreamResponse()
    }

    func batchCommitWriteStreams(request: Google_Cloud_Bigquery_Storage_V1_BatchCommitWriteStreamsRequest, context: ServerContext) async throws -> Google_Cloud_Bigquery_Storage_V1_BatchCommitWriteStreamsResponse {
        var answer = Google_Cloud_Bigquery_Storage_V1_BatchCommitWriteStreamsResponse()
        answer.commitTime = .init(date: Date())
        return answer
    }

    func flushRows(request: Google_Cloud_Bigquery_Storage_V1_FlushRowsRequest, context: ServerContext) async throws -> Google_Cloud_Bigquery_Storage_V1_FlushRowsResponse {
        Google_Cloud_Bigquery_Storage_V1_FlushRowsResponse()
    }
}
