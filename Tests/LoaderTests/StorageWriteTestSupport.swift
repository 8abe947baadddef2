import BigQueryStorageAPI
import Foundation
import GRPCCore
import SwiftProtobuf
import TestSupport
import XCTest
@testable import Loader
@testable import StorageWrite

/// The emulator's Storage Write API address (IBQ_BIGQUERY_GRPC from scripts/dev-services).
func emulatorGRPCEndpoint() throws -> StorageWriteEndpoint {
    guard let address = DevServices.load().bigQueryGRPC, let endpoint = StorageWriteEndpoint.plaintext(address) else {
        throw XCTSkip("IBQ_BIGQUERY_GRPC is not set: start the emulator with scripts/dev-services start")
    }
    return endpoint
}

/// Runs `body` with a client whose connection lives exactly as long as the body.
func withStorageWriteClient<Result: Sendable>(
    _ endpoint: StorageWriteEndpoint, tokens: AccessTokenProvider? = nil, maxRequestBytes: Int = StorageWriteClient.defaultMaxRequestBytes,
    requestTimeout: Duration = .seconds(30), _ body: @Sendable (StorageWriteClient) async throws -> Result
) async throws -> Result {
    let client = try StorageWriteClient(endpoint: endpoint, tokens: tokens, maxRequestBytes: maxRequestBytes, requestTimeout: requestTimeout)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await client.run() }
        defer { client.close() }
        let result = try await body(client)
        client.close()
        try await group.waitForAll()
        return result
    }
}

/// A BigQueryWrite server for a test: it answers the calls its test needs, and every other call is
/// UNIMPLEMENTED, as a real server answers a method it does not have.
protocol BigQueryWriteStandIn: Google_Cloud_Bigquery_Storage_V1_BigQueryWrite.SimpleServiceProtocol {}

extension BigQueryWriteStandIn {
    func createWriteStream(request: Google_Cloud_Bigquery_Storage_V1_CreateWriteStreamRequest, context: ServerContext) async throws -> Google_Cloud_Bigquery_Storage_V1_WriteStream {
        throw RPCError(code: .unimplemented, message: "not in this stand-in")
    }

    func getWriteStream(request: Google_Cloud_Bigquery_Storage_V1_GetWriteStreamRequest, context: ServerContext) async throws -> Google_Cloud_Bigquery_Storage_V1_WriteStream {
        throw RPCError(code: .unimplemented, message: "not in this stand-in")
    }

    func finalizeWriteStream(request: Google_Cloud_Bigquery_Storage_V1_FinalizeWriteStreamRequest, context: ServerContext) async throws -> Google_Cloud_Bigquery_Storage_V1_FinalizeWriteStreamResponse {
        throw RPCError(code: .unimplemented, message: "not in this stand-in")
    }

    func batchCommitWriteStreams(request: Google_Cloud_Bigquery_Storage_V1_BatchCommitWriteStreamsRequest, context: ServerContext) async throws -> Google_Cloud_Bigquery_Storage_V1_BatchCommitWriteStreamsResponse {
        throw RPCError(code: .unimplemented, message: "not in this stand-in")
    }

    func flushRows(request: Google_Cloud_Bigquery_Storage_V1_FlushRowsRequest, context: ServerContext) async throws -> Google_Cloud_Bigquery_Storage_V1_FlushRowsResponse {
        throw RPCError(code: .unimplemented, message: "not in this stand-in")
    }

    func appendRows(
        request: RPCAsyncSequence<Google_Cloud_Bigquery_Storage_V1_AppendRowsRequest, any Error>,
        response: RPCWriter<Google_Cloud_Bigquery_Storage_V1_AppendRowsResponse>, context: ServerContext
    ) async throws {
        throw RPCError(code: .unimplemented, message: "not in this stand-in")
    }
}

extension ProtoRowEncoder {
    /// Bytes the writer schema adds to the first AppendRows request of a call.
    var descriptorSize: Int { ((try? descriptor.serializedBytes()) as [UInt8]?)?.count ?? 0 }
}
