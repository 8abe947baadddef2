import Foundation
import Logging
@testable import Poller
import Sandbox
import HTTP
import Operations
import Timestamps
import TestSupport
import XCTest

/// The client against an in-process sandbox company over real HTTP on an ephemeral port.
final class SandboxConformanceTests: XCTestCase {
    private var sandbox: SandboxServer!
    private var http: HTTPClient!

    override func setUp() async throws {
        sandbox = SandboxServer(configuration: SandboxConfiguration(seed: 7, scale: 6_000))
        try await sandbox.start(host: "127.0.0.1", port: 0)
        http = HTTPClient()
    }

    override func tearDown() async throws {
        await sandbox.stop()
    }

    private func client(pageSize: Int = 1000, maxConcurrent: Int = 2, maxRetries: Int = 6) -> IntacctClient {
        var logger = Logger(label: "test.intacct")
        logger.logLevel = .error
        return IntacctClient(configuration: IntacctConfiguration(
            endpoint: sandbox.gatewayURL.absoluteString,
            senderID: "demo-sender", senderPassword: "sender-secret",
            userID: "api_user", companyID: "DEMO", userPassword: "user-secret",
            maxConcurrentRequests: maxConcurrent, requestsPerSecond: 200, pageSize: pageSize,
            requestTimeout: .seconds(30),
            backoff: Backoff(initial: .milliseconds(20), maximum: .milliseconds(300), maxRetries: maxRetries)
        ), httpClient: http, logger: logger)
    }

    private static func collect(_ stream: AsyncThrowingStream<IntacctPage, Error>) async throws -> [IntacctPage] {
        var pages: [IntacctPage] = []
        for try await page in stream { pages.append(page) }
        return pages
    }

    private func liveKeys(_ object: String, entity: String = "top") throws -> Set<String> {
        Set(try sandbox.records(object: object, entity: entity).filter { !$0.deleted }.map(\.recordno))
    }

    // MARK: - Reading

    func testEveryContractObjectCanBeQueried() async throws {
        let client = client()
        let objects: [(String, String?, String)] = [
            ("LOCATIONENTITY", nil, "RECORDNO"), ("GLACCOUNT", nil, "RECORDNO"), ("DEPARTMENT", nil, "RECORDNO"),
            ("LOCATION", nil, "RECORDNO"), ("CLASS", nil, "RECORDNO"), ("PROJECT", nil, "RECORDNO"), ("VENDOR", nil, "RECORDNO"),
            ("GLBATCH", "E100", "RECORDNO"), ("GLENTRY", "E200", "RECORDNO"), ("GLDETAIL", "E300", "RECORDNO"),
            ("APBILL", "E100", "RECORDNO"), ("APPYMT", "E100", "RECORDNO"), ("AUDITHISTORY", nil, "ID"),
        ]
        for (object, entity, key) in objects {
            let order = key == "ID" ? [IntacctQuery.Order("ID")] : IntacctQuery.incrementalOrder
            let pages = try await Self.collect(client.query(IntacctQuery(object: object, fields: [key], order: order), entity: entity))
            let keys = pages.flatMap(\.rows).compactMap { $0[key] }
            XCTAssertEqual(keys.count, pages.first?.totalCount, object)
            if object != "AUDITHISTORY" {
                XCTAssertEqual(Set(keys), try liveKeys(object, entity: entity ?? "top"), object)
                XCTAssertFalse(keys.isEmpty, object)
            }
        }
        let fields = try await client.lookup(object: "GLACCOUNT")
        XCTAssertEqual(fields.first { $0.id == "RECORDNO" }?.dataType, "INTEGER")
        XCTAssertEqual(fields.first { $0.id == "WHENMODIFIED" }?.dataType, "TIMESTAMP")
    }

    func testPagingAcrossManyPagesGivesEveryRowOnce() async throws {
        let client = client(pageSize: 100)
        let pages = try await Self.collect(client.query(IntacctQuery(object: "GLENTRY", fields: ["RECORDNO", "WHENMODIFIED", "MEGAENTITYID"]), entity: "E100"))
        XCTAssertGreaterThanOrEqual(pages.count, 5)
        let keys = pages.flatMap(\.rows).compactMap { $0["RECORDNO"] }
        XCTAssertEqual(keys.count, pages[0].totalCount)
        XCTAssertEqual(Set(keys).count, keys.count, "duplicates across pages")
        XCTAssertEqual(Set(keys), try liveKeys("GLENTRY", entity: "E100"))
        XCTAssertEqual(pages.map(\.offset), Array(stride(from: 0, to: keys.count, by: 100)))
        XCTAssertEqual(pages.last?.numRemaining, 0)
        XCTAssertTrue(pages.flatMap(\.rows).allSatisfy { $0["MEGAENTITYID"] == "E100" })
    }

    func testReadByQueryReadsAWholeObjectAndQuotesApostrophes() async throws {
        let client = client(pageSize: 1000)
        let pages = try await Self.collect(client.readByQuery(object: "VENDOR", fields: ["RECORDNO", "NAME"], query: ""))
        XCTAssertEqual(pages.count, 1)
        XCTAssertEqual(Set(pages.flatMap(\.rows).compactMap { $0["RECORDNO"] }), try liveKeys("VENDOR"))
        let obrien = try XCTUnwrap(pages.flatMap(\.rows).compactMap { $0["NAME"] }.first { $0.contains("'") })
        let filtered = try await Self.collect(client.readByQuery(object: "VENDOR", fields: ["NAME"], query: try QueryFilter.equalTo("NAME", obrien).queryString()))
        XCTAssertFalse(filtered.flatMap(\.rows).isEmpty)
        XCTAssertTrue(filtered.flatMap(\.rows).allSatisfy { $0["NAME"] == obrien })
    }

    func testReadByQueryContinuesWithReadMore() async throws {
        let client = client(pageSize: 40)
        let pages = try await Self.collect(client.readByQuery(object: "VENDOR", fields: ["RECORDNO", "NAME"], query: ""))
        XCTAssertGreaterThanOrEqual(pages.count, 3)
        let keys = pages.flatMap(\.rows).compactMap { $0["RECORDNO"] }
        XCTAssertEqual(Set(keys).count, keys.count)
        XCTAssertEqual(Set(keys), try liveKeys("VENDOR"))
        // An apostrophe inside a quoted value is written \' in the query language.
        let obrien = pages.flatMap(\.rows).compactMap { $0["NAME"] }.first { $0.contains("'") }
        if let obrien {
            let filtered = try await Self.collect(client.readByQuery(object: "VENDOR", fields: ["NAME"], query: try QueryFilter.equalTo("NAME", obrien).queryString()))
            XCTAssertTrue(filtered.flatMap(\.rows).allSatisfy { $0["NAME"] == obrien })
            XCTAssertFalse(filtered.flatMap(\.rows).isEmpty)
        }
    }

    func testModifiedSinceFindsMutatedRecords() async throws {
        sandbox.advanceClock(seconds: 3600)
        let since = try XCTUnwrap(IntacctTimestamp.parse(sandbox.now))
        let mutation = try sandbox.mutate(object: "APBILL", entity: "E100", modify: 3)
        let pages = try await Self.collect(client().modifiedSince(object: "APBILL", fields: ["RECORDNO", "WHENMODIFIED"], since: since, entity: "E100"))
        XCTAssertTrue(Set(mutation.modified).isSubset(of: Set(pages.flatMap(\.rows).compactMap { $0["RECORDNO"] })))
    }

    func testAValueWithAControlCharacterAndMarkupRoundTripsThroughAFilter() async throws {
        let client = client()
        let vendors = try await Self.collect(client.query(IntacctQuery(object: "VENDOR", fields: ["RECORDNO", "NAME"])))
        let name = try XCTUnwrap(vendors.flatMap(\.rows).compactMap { $0["NAME"] }.first { $0.contains("&") })
        // The control character is stripped on the way out, so the value still matches; `<&>` is escaped.
        let dirty = name.replacingOccurrences(of: " ", with: " \u{0001}")
        let filter = QueryFilter.in("NAME", [dirty, "<&> nobody \u{0001}"])
        let pages = try await Self.collect(client.query(IntacctQuery(object: "VENDOR", fields: ["RECORDNO", "NAME"], filter: filter)))
        let names = pages.flatMap(\.rows).compactMap { $0["NAME"] }
        XCTAssertFalse(names.isEmpty)
        XCTAssertTrue(names.allSatisfy { $0 == name }, "\(names)")
    }

    // MARK: - Faults

    func testTransientGatewayFaultsAreRetriedTransparently() async throws {
        let client = client()
        let faults: [SandboxFault] = [
            SandboxFault(kind: .http429, object: "VENDOR", retryAfter: 1),
            SandboxFault(kind: .http502, object: "VENDOR"),
            SandboxFault(kind: .http503, object: "VENDOR", times: 2),
            SandboxFault(kind: .http524, object: "VENDOR"),
            SandboxFault(kind: .cloudflareHTML, object: "VENDOR"),
            SandboxFault(kind: .truncatedXML, object: "VENDOR"),
            SandboxFault(kind: .latency, object: "VENDOR", ms: 300),
        ]
        let expected = try liveKeys("VENDOR")
        for fault in faults {
            sandbox.clearFaults()
            sandbox.addFault(fault)
            let before = sandbox.stats().requests
            let pages = try await Self.collect(client.query(IntacctQuery(object: "VENDOR", fields: ["RECORDNO"])))
            XCTAssertEqual(Set(pages.flatMap(\.rows).compactMap { $0["RECORDNO"] }), expected, "\(fault.kind)")
            if fault.kind != .latency {
                XCTAssertGreaterThan(sandbox.stats().requests - before, pages.count, "\(fault.kind) should have cost a retry")
            }
        }
        XCTAssertGreaterThanOrEqual(sandbox.stats().rateLimited, 1)
    }

    func testAPersistentOutageEndsInATypedRetryableError() async throws {
        sandbox.addFault(SandboxFault(kind: .http503, object: "VENDOR", times: -1))
        do {
            _ = try await Self.collect(client(maxRetries: 2).query(IntacctQuery(object: "VENDOR", fields: ["RECORDNO"])))
            XCTFail("expected an error")
        } catch let error as IntacctError {
            guard case .serverError(503, _, _) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(error.isRetryable)
        }
    }

    func testAnApplicationErrorFailsOneObjectWhileAnotherStillWorks() async throws {
        sandbox.addFault(SandboxFault(kind: .applicationError, object: "APBILL", times: -1, errorno: "BL01001973", description: "Could not read APBILL"))
        let client = client()
        do {
            _ = try await Self.collect(client.query(IntacctQuery(object: "APBILL", fields: ["RECORDNO"]), entity: "E100"))
            XCTFail("expected a result error")
        } catch let error as IntacctError {
            guard case let .resultFailed(status, function, _, object, errors) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(status, "failure")
            XCTAssertEqual(function, "query")
            XCTAssertEqual(object, "APBILL")
            XCTAssertEqual(errors.first?.errorNumber, "BL01001973")
            XCTAssertFalse(error.isRetryable)
        }
        let vendors = try await Self.collect(client.query(IntacctQuery(object: "VENDOR", fields: ["RECORDNO"])))
        XCTAssertFalse(vendors.flatMap(\.rows).isEmpty)
    }

    func testControlCharactersInValuesAreRemovedAndCounted() async throws {
        sandbox.addFault(SandboxFault(kind: .controlCharacters, object: "VENDOR"))
        let pages = try await Self.collect(client().query(IntacctQuery(object: "VENDOR", fields: ["RECORDNO", "NAME"])))
        XCTAssertGreaterThan(pages.map(\.sanitizedCharacters).reduce(0, +), 0)
        let values = pages.flatMap(\.rows).flatMap(\.fields).map(\.value)
        XCTAssertTrue(values.allSatisfy { !$0.unicodeScalars.contains { $0.value < 0x20 } })
        XCTAssertEqual(Set(pages.flatMap(\.rows).compactMap { $0["RECORDNO"] }), try liveKeys("VENDOR"))
    }

    func testSessionExpiryMidPagingLosesAndRepeatsNothing() async throws {
        let client = client(pageSize: 100)
        sandbox.addFault(SandboxFault(kind: .sessionExpiry, afterCalls: 2))
        let pages = try await Self.collect(client.query(IntacctQuery(object: "GLDETAIL", fields: ["RECORDNO"]), entity: "E200"))
        let keys = pages.flatMap(\.rows).compactMap { $0["RECORDNO"] }
        XCTAssertGreaterThanOrEqual(pages.count, 4)
        XCTAssertEqual(keys.count, Set(keys).count)
        XCTAssertEqual(Set(keys), try liveKeys("GLDETAIL", entity: "E200"))
        XCTAssertEqual(sandbox.stats().sessionsCreated, 2, "one login, one transparent renewal")
    }

    func testAReadMoreCursorLostWithItsSessionIsATypedError() async throws {
        let client = client(pageSize: 30)
        sandbox.addFault(SandboxFault(kind: .sessionExpiry, afterCalls: 1))
        var rows = 0
        do {
            for try await page in client.readByQuery(object: "VENDOR", fields: ["RECORDNO"], query: "") { rows += page.rows.count }
            // A sandbox that keeps cursors across sessions is fine too: then every row must be there.
            XCTAssertEqual(rows, try liveKeys("VENDOR").count)
        } catch let error as IntacctError {
            guard case let .readMoreRejected(object, resultID, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(object, "VENDOR")
            XCTAssertFalse(resultID.isEmpty)
        }
    }

    func testConcurrentQueriesNeverExceedTheConfiguredLimit() async throws {
        let client = client(pageSize: 50, maxConcurrent: 2)
        sandbox.addFault(SandboxFault(kind: .latency, times: -1, ms: 20))
        sandbox.resetStats()
        let objects = ["VENDOR", "DEPARTMENT", "GLACCOUNT", "CLASS", "PROJECT", "LOCATION", "VENDOR", "GLACCOUNT"]
        let counts = try await withThrowingTaskGroup(of: Int.self) { group in
            for object in objects {
                group.addTask { try await Self.collect(client.query(IntacctQuery(object: object, fields: ["RECORDNO"]))).flatMap(\.rows).count }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        XCTAssertEqual(counts.count, objects.count)
        let stats = sandbox.stats()
        XCTAssertGreaterThan(stats.requests, objects.count)
        XCTAssertLessThanOrEqual(stats.maxInFlight, 2)
        XCTAssertEqual(stats.rateLimited, 0)
        XCTAssertEqual(stats.sessionsCreated, 1, "concurrent callers share one getAPISession")
    }

    func testWrongCredentialsAreATypedAuthenticationError() async throws {
        var configuration = client().configuration
        configuration.userPassword = "wrong"
        let client = IntacctClient(configuration: configuration, httpClient: http)
        do {
            _ = try await Self.collect(client.query(IntacctQuery(object: "VENDOR", fields: ["RECORDNO"])))
            XCTFail("expected an error")
        } catch let error as IntacctError {
            guard case let .authenticationFailed(_, errors) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(errors.first?.errorNumber, "XL03000006")
        }
    }
}
