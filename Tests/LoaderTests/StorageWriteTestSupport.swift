import Foundation
import TestSupport
import XCTest
@testable import Loader

/// The emulator's Storage Write API address (IBQ_BIGQUERY_GRPC from scripts/dev-services).
func emulatorGRPCEndpoint() throws -> StorageWriteEndpoint {
    guard let address = DevServices.load().bigQueryGRPC, let endpoint = StorageWriteEndpoint.plaintext(address) else {
        throw XCTSkip("IBQ_BIGQUERY_GRPC is not set: start the emulator with scripts/dev-services start")
    }
    return endpoint
}

/// Runs `body` with a client whose connection lives exactly as long as the body.
func withStorageWriteClient<Result: Sendable>(
    _ endpoint: StorageWriteEndpoint, tokens: AccessTokenProvider? = nil, maxRequestBytes: Int = StorageWriteClient.appendRequestLimit - 64 * 1024,
    _ body: @Sendable (StorageWriteClient) async throws -> Result
) async throws -> Result {
    let client = try StorageWriteClient(endpoint: endpoint, tokens: tokens, maxRequestBytes: maxRequestBytes, requestTimeout: .seconds(30))
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await client.run() }
        defer { client.close() }
        let result = try await body(client)
        client.close()
        try await group.waitForAll()
        return result
    }
}
