import Kafka
import Foundation
import Logging
import Sandbox
import Cryptography
import HTTP
import Operations
import TokenServer
import XCTest
@testable import Loader

/// Service-account auth end to end: the client signs a JWT, the sandbox token server verifies it and
/// issues tokens, and its proxy forwards authenticated BigQuery calls to the emulator.
final class TokenServerAuthTests: XCTestCase {
    struct Setup {
        var account: SandboxServiceAccount
        var server: OAuthTokenServer
        var keyPath: String
        var dataset: String
        var host: String
    }

    private func setUp(upstream: String?) async throws -> Setup {
        let account = try SandboxServiceAccount()
        let server = try account.tokenServer(upstream: upstream)
        try await server.start()
        let path = NSTemporaryDirectory() + "sa-\(UUID().uuidString).json"
        try account.writeKeyFile(tokenURI: await server.tokenURI, to: path)
        return Setup(account: account, server: server, keyPath: path, dataset: uniqueDatasetName("ibq_auth"), host: upstream ?? "")
    }

    private func client(_ setup: Setup, keyPath: String? = nil, logger: Logger = Logger(label: "test")) async throws -> BigQueryClient {
        let http = HTTPClient()
        let configuration = BigQueryConfiguration(
            project: "demo", dataset: setup.dataset, credentialsPath: keyPath ?? setup.keyPath, endpoint: await setup.server.baseURL,
            backoff: Backoff(initial: .milliseconds(10), maximum: .milliseconds(50), maxRetries: 2)
        )
        let provider = try AccessTokenProvider(key: ServiceAccountKey.load(path: keyPath ?? setup.keyPath), http: http, logger: logger)
        return BigQueryClient(configuration: configuration, tokenProvider: provider, http: http, logger: logger)
    }

    func testAValidKeyGetsOneTokenAndReusesItForEveryCall() async throws {
        let setup = try await setUp(upstream: try await emulatorHost())
        let client = try await client(setup)
        try await client.ensureDataset()
        let mapping = try XCTUnwrap(ObjectMappings.mapping(for: "LOCATION"))
        try await client.ensureTable(mapping.tableName, schema: mapping.schema)
        let row = try RowConverter(mapping: mapping).row(
            for: sampleEnvelope(object: "LOCATION", entity: "top", recordNo: "1", fields: [("RECORDNO", "1"), ("NAME", "HQ")]),
            from: KafkaCoordinates(topic: "intacct.demo.top.location", partition: 0, offset: 0))
        let inserted = try await client.insertAll(into: mapping.tableName, rows: [row])
        XCTAssertTrue(inserted.allWritten)
        let result = try await client.query("SELECT name FROM \(client.qualified(mapping.tableName))")
        XCTAssertEqual(result.rows.first?["name"], .string("HQ"))

        let stats = await setup.server.stats
        XCTAssertEqual(stats.tokenRequests, 1)
        XCTAssertEqual(stats.unauthorizedRequests, 0)
        XCTAssertGreaterThanOrEqual(stats.proxiedRequests, 5)
        let requests = await client.tokenProvider?.tokenRequests
        XCTAssertEqual(requests, 1)
        try await client.deleteDataset(setup.dataset)
        await setup.server.stop()
    }

    func testConcurrentCallersShareOneTokenRefresh() async throws {
        let setup = try await setUp(upstream: nil)
        let client = try await client(setup)
        let provider = try XCTUnwrap(client.tokenProvider)
        let tokens = try await withThrowingTaskGroup(of: AccessToken.self) { group in
            for _ in 0..<20 { group.addTask { try await provider.token() } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1.value) }
        }
        XCTAssertEqual(tokens.count, 1)
        let stats = await setup.server.stats
        XCTAssertEqual(stats.tokenRequests, 1)
        await setup.server.stop()
    }

    func testARevokedTokenGets401ThenOneRefreshThenSuccess() async throws {
        let setup = try await setUp(upstream: try await emulatorHost())
        let client = try await client(setup)
        try await client.ensureDataset()
        await setup.server.revokeAllTokens()
        let exists = try await client.datasetExists()
        XCTAssertTrue(exists)
        var stats = await setup.server.stats
        XCTAssertEqual(stats.tokenRequests, 2)
        XCTAssertEqual(stats.unauthorizedRequests, 1)

        // Expired server-side (the client still thinks it has an hour left): same recovery.
        await setup.server.expireAllTokens()
        _ = try await client.query("SELECT 1 AS one")
        stats = await setup.server.stats
        XCTAssertEqual(stats.tokenRequests, 3)
        XCTAssertEqual(stats.unauthorizedRequests, 2)
        try await client.deleteDataset(setup.dataset)
        await setup.server.stop()
    }

    func testAKeyTheServerDoesNotKnowIsRefusedNamingTheBadSignature() async throws {
        let setup = try await setUp(upstream: nil)
        // Same account name, different key pair: what a rotated-away or forged key looks like.
        let stranger = try SandboxServiceAccount(clientEmail: setup.account.clientEmail)
        let strangerPath = NSTemporaryDirectory() + "stranger-\(UUID().uuidString).json"
        try stranger.writeKeyFile(tokenURI: await setup.server.tokenURI, to: strangerPath)
        let client = try await client(setup, keyPath: strangerPath)
        do {
            try await client.ensureDataset()
            XCTFail("a wrong key got a token")
        } catch let error as BigQueryError {
            XCTAssertEqual(error.kind, .authentication)
            XCTAssertEqual(error.reason, "invalid_grant")
            XCTAssertTrue(error.message.contains("Invalid JWT Signature"), error.message)
            XCTAssertFalse(error.isRetryable)
        }
        await setup.server.stop()
    }

    func testTamperedOrMisaddressedAssertionsAreRefusedWithTheCause() async throws {
        let setup = try await setUp(upstream: nil)
        let tokenURI = await setup.server.tokenURI
        let now = Int(Date().timeIntervalSince1970)
        func post(_ assertion: String) async throws -> (Int, String) {
            let body = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=\(assertion)"
            let response = try await HTTPClient().send(HTTPRequest(method: "POST", url: tokenURI,
                headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Data(body.utf8)))
            let json = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
            return (response.status, json?["error_description"] as? String ?? "")
        }
        func jwt(iss: String? = nil, aud: String? = nil, scope: String = AccessTokenProvider.bigQueryScope, exp: Int? = nil) throws -> String {
            try JSONWebToken(header: .init(kid: setup.account.privateKeyID),
                             claims: .init(iss: iss ?? setup.account.clientEmail, scope: scope, aud: aud ?? tokenURI, iat: now,
                                           exp: exp ?? now + 3600)).signed(with: setup.account.privateKey)
        }

        let good = try jwt()
        let (okStatus, _) = try await post(good)
        XCTAssertEqual(okStatus, 200)

        // Claims swapped for another issuer's, signature kept: the signature no longer matches.
        var parts = good.split(separator: ".").map(String.init)
        parts[1] = Base64URL.encode(#"{"aud":"\#(tokenURI)","exp":\#(now + 3600),"iat":\#(now),"iss":"attacker@evil","scope":"\#(AccessTokenProvider.bigQueryScope)"}"#)
        let tampered = try await post(parts.joined(separator: "."))
        XCTAssertEqual(tampered.0, 400)
        XCTAssertEqual(tampered.1, "Invalid JWT Signature.")

        let wrongAudience = try await post(try jwt(aud: "https://oauth2.googleapis.com/token"))
        XCTAssertTrue(wrongAudience.1.contains("audience"), wrongAudience.1)
        let wrongIssuer = try await post(try jwt(iss: "someone@else"))
        XCTAssertTrue(wrongIssuer.1.contains("issuer"), wrongIssuer.1)
        let expired = try await post(try jwt(exp: now - 10))
        XCTAssertTrue(expired.1.contains("iat and exp"), expired.1)
        let wrongScope = try await post(try jwt(scope: "https://www.googleapis.com/auth/drive"))
        XCTAssertTrue(wrongScope.1.contains("scope"), wrongScope.1)
        let stats = await setup.server.stats
        XCTAssertEqual(stats.tokensIssued, 1)
        XCTAssertEqual(stats.tokenRefusals, 5)
        await setup.server.stop()
    }

    func testLogsAndErrorsNeverContainThePrivateKeyOrTheAccessToken() async throws {
        let store = RecordingLogHandler.Store()
        let logger = RecordingLogHandler.logger(store)
        let setup = try await setUp(upstream: try await emulatorHost())
        let client = try await client(setup, logger: logger)
        try await client.ensureDataset()
        await setup.server.revokeAllTokens()
        _ = try await client.datasetExists()  // 401 → refresh, logged
        let token = try await XCTUnwrap(client.tokenProvider).token().value

        var rendered: [String] = []
        do { _ = try await client.query("SELECT nope FROM `demo.nowhere.nothing`") } catch { rendered.append(String(describing: error)) }
        // Every token refused from here on, and a key the server does not know: auth errors get rendered too.
        let stranger = try SandboxServiceAccount(clientEmail: setup.account.clientEmail)
        let strangerPath = NSTemporaryDirectory() + "stranger-\(UUID().uuidString).json"
        try stranger.writeKeyFile(tokenURI: await setup.server.tokenURI, to: strangerPath)
        let strangerClient = try await self.client(setup, keyPath: strangerPath, logger: logger)
        do { try await strangerClient.ensureDataset() } catch { rendered.append(String(describing: error)) }
        rendered.append(String(describing: try ServiceAccountKey.load(path: setup.keyPath)))
        XCTAssertEqual(rendered.count, 3)

        let pemLines = try setup.account.privateKey.pemPKCS8().split(separator: "\n").filter { !$0.hasPrefix("-----") }
        let everything = store.all + rendered
        XCTAssertFalse(store.all.isEmpty)
        XCTAssertTrue(store.all.contains { $0.contains("401") })
        for text in everything {
            XCTAssertFalse(text.contains(token), "access token leaked: \(text)")
            XCTAssertFalse(text.contains("sbx."), "an access token leaked: \(text)")
            XCTAssertFalse(text.contains("PRIVATE KEY"), "private key leaked: \(text)")
            for line in pemLines { XCTAssertFalse(text.contains(line), "private key material leaked: \(text)") }
        }
        try await client.deleteDataset(setup.dataset)
        await setup.server.stop()
    }
}
