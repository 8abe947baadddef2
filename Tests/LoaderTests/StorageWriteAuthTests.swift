import BigQueryStorageAPI
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import HTTP
import Synchronization
import TokenServer
import XCTest
@testable import Loader
@testable import StorageWrite

/// Bearer tokens on the gRPC path. bqemulator has no auth, so Google's front end is stood in for by a
/// local gRPC server (real HTTP/2 on an ephemeral port) whose interceptor accepts only tokens the
/// sandbox token server currently considers valid; behind it, a minimal BigQueryWrite answers
/// GetWriteStream and CreateWriteStream. What is mocked: the Write API's auth check and those two
/// answers. What is real: the JWT grant, the token cache, gRPC metadata, the transport.
final class StorageWriteAuthTests: XCTestCase {
    func testARevokedTokenIsAnsweredUnauthenticatedAndTheCallSucceedsOnceWithAFreshToken() async throws {
        let account = try SandboxServiceAccount()
        let tokenServer = try account.tokenServer(upstream: nil)
        try await tokenServer.start()
        let keyPath = NSTemporaryDirectory() + "sa-\(UUID().uuidString).json"
        try account.writeKeyFile(tokenURI: await tokenServer.tokenURI, to: keyPath)
        let tokens = try AccessTokenProvider(key: ServiceAccountKey.load(path: keyPath), http: HTTPClient())
        let gate = AuthGate(tokenServer: tokenServer)

        let transport = HTTP2ServerTransport.Posix(address: .ipv4(host: "127.0.0.1", port: 0), transportSecurity: .plaintext)
        try await withGRPCServer(transport: transport, services: [MinimalBigQueryWrite()], interceptors: [gate]) { server in
            let address = try await transport.listeningAddress
            let port = try XCTUnwrap(address.ipv4?.port)
            let endpoint = StorageWriteEndpoint(host: "127.0.0.1", port: port, usesTLS: false)
            try await withStorageWriteClient(endpoint, tokens: tokens) { client in
                let table = "projects/demo/datasets/d/tables/t"
                let created = try await client.createWriteStream(table: table, type: .pending)
                XCTAssertEqual(created.type, .pending)
                await tokenServer.revokeAllTokens()
                let fetched = try await client.getWriteStream(created.name)
                XCTAssertEqual(fetched.name, created.name)
            }
            server.beginGracefulShutdown()
        }
        let requests = await tokens.tokenRequests
        XCTAssertEqual(requests, 2, "one token at start, one after the refusal")
        XCTAssertEqual(gate.seen, [
            .init(method: "CreateWriteStream", routing: "parent=projects/demo/datasets/d/tables/t", accepted: true),
            .init(method: "GetWriteStream", routing: "name=projects/demo/datasets/d/tables/t/streams/s1", accepted: false),
            .init(method: "GetWriteStream", routing: "name=projects/demo/datasets/d/tables/t/streams/s1", accepted: true),
        ])
        await tokenServer.stop()
    }

    func testATokenRefusedTwiceIsATypedUnauthenticatedError() async throws {
        let account = try SandboxServiceAccount()
        let tokenServer = try account.tokenServer(upstream: nil)
        try await tokenServer.start()
        let keyPath = NSTemporaryDirectory() + "sa-\(UUID().uuidString).json"
        try account.writeKeyFile(tokenURI: await tokenServer.tokenURI, to: keyPath)
        let tokens = try AccessTokenProvider(key: ServiceAccountKey.load(path: keyPath), http: HTTPClient())
        let gate = AuthGate(tokenServer: tokenServer, refuseEverything: true)

        let transport = HTTP2ServerTransport.Posix(address: .ipv4(host: "127.0.0.1", port: 0), transportSecurity: .plaintext)
        try await withGRPCServer(transport: transport, services: [MinimalBigQueryWrite()], interceptors: [gate]) { server in
            let address = try await transport.listeningAddress
            let port = try XCTUnwrap(address.ipv4?.port)
            let endpoint = StorageWriteEndpoint(host: "127.0.0.1", port: port, usesTLS: false)
            do {
                _ = try await withStorageWriteClient(endpoint, tokens: tokens) { client in
                    try await client.getWriteStream("projects/demo/datasets/d/tables/t/streams/s1")
                }
                XCTFail("a refused token succeeded")
            } catch let error as StorageWriteError {
                XCTAssertEqual(error.code, 16, "\(error)")
                XCTAssertEqual(error.codeName, "UNAUTHENTICATED")
                XCTAssertEqual(error.stream, "projects/demo/datasets/d/tables/t/streams/s1")
            }
            server.beginGracefulShutdown()
        }
        XCTAssertEqual(gate.seen.count, 2, "one retry with a fresh token, then the error")
        let requests = await tokens.tokenRequests
        XCTAssertEqual(requests, 2)
        await tokenServer.stop()
    }
}

/// Stands in for Google's front end: checks `authorization: Bearer` against the token server and
/// records each call's routing header.
final class AuthGate: ServerInterceptor {
    struct Call: Equatable, Sendable {
        var method: String
        var routing: String
        var accepted: Bool
    }

    private let tokenServer: OAuthTokenServer
    private let refuseEverything: Bool
    private let calls = Mutex<[Call]>([])

    init(tokenServer: OAuthTokenServer, refuseEverything: Bool = false) {
        self.tokenServer = tokenServer
        self.refuseEverything = refuseEverything
    }

    var seen: [Call] { calls.withLock { $0 } }

    func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>, context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        let bearer = request.metadata[stringValues: "authorization"].first(where: { _ in true }) ?? ""
        let token = bearer.hasPrefix("Bearer ") ? String(bearer.dropFirst(7)) : ""
        let valid = await tokenServer.isValid(token)
        let accepted = valid && !refuseEverything
        let routing = request.metadata[stringValues: "x-goog-request-params"].first(where: { _ in true }) ?? ""
        calls.withLock { $0.append(Call(method: context.descriptor.method, routing: routing, accepted: accepted)) }
        guard accepted else { throw RPCError(code: .unauthenticated, message: "Request had invalid authentication credentials.") }
        return try await next(request, context)
    }
}

/// Answers the two calls the auth tests make; everything else is UNIMPLEMENTED.
struct MinimalBigQueryWrite: BigQueryWriteStandIn {
    func createWriteStream(request: Google_Cloud_Bigquery_Storage_V1_CreateWriteStreamRequest, context: ServerContext) async throws -> Google_Cloud_Bigquery_Storage_V1_WriteStream {
        var stream = request.writeStream
        stream.name = request.parent + "/streams/s1"
        return stream
    }

    func getWriteStream(request: Google_Cloud_Bigquery_Storage_V1_GetWriteStreamRequest, context: ServerContext) async throws -> Google_Cloud_Bigquery_Storage_V1_WriteStream {
        var stream = Google_Cloud_Bigquery_Storage_V1_WriteStream()
        stream.name = request.name
        stream.type = .pending
        return stream
    }
}
