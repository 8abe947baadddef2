import FlyingFox
import FlyingSocks
import Foundation
import HTTP
import TestSupport
import XCTest

/// The libcurl client against a real FlyingFox server on an ephemeral loopback port.
final class HTTPClientTests: XCTestCase {
    private var server: HTTPServer!
    private var baseURL = ""
    private let client = HTTP.HTTPClient()

    override func setUp() async throws {
        server = HTTPServer(address: try .inet(ip4: "127.0.0.1", port: 0), logger: DisabledLogger.disabled)
        let server = server!
        Task { try await server.run() }
        try await server.waitUntilListening()
        guard case let .ip4(_, port)? = await server.listeningAddress else { return XCTFail("server has no address") }
        baseURL = "http://127.0.0.1:\(port)"
    }

    override func tearDown() async throws {
        await server.stop(timeout: 1)
    }

    func testASuccessfulGetReturnsStatusHeadersAndBody() async throws {
        await server.appendRoute("GET /hello") { _ in
            FlyingFox.HTTPResponse(statusCode: .ok, headers: [HTTPHeader("X-Probe"): "yes"], body: Data("hello".utf8))
        }
        let response = try await client.send(HTTPRequest(url: baseURL + "/hello"))
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.headers["x-probe"], "yes")
        XCTAssertEqual(response.bodyText, "hello")
    }

    func testAPostSendsItsBodyAndHeaders() async throws {
        await server.appendRoute("POST /echo") { request in
            let body = try await request.bodyData
            return FlyingFox.HTTPResponse(
                statusCode: .ok, headers: [HTTPHeader("X-Type"): request.headers[.contentType] ?? ""], body: body)
        }
        let payload = Data("<request>&amp;</request>".utf8)
        let response = try await client.send(HTTPRequest(
            method: "POST", url: baseURL + "/echo", headers: [("Content-Type", "application/xml")], body: payload))
        XCTAssertEqual(response.body, payload)
        XCTAssertEqual(response.headers["x-type"], "application/xml")
    }

    func testA503IsClassifiedRetryableAndTheNextAttemptSucceeds() async throws {
        let calls = Counter()
        await server.appendRoute("GET /flaky") { _ in
            if await calls.increment() == 1 {
                return FlyingFox.HTTPResponse(statusCode: .serviceUnavailable, headers: HTTPHeaders([HTTPHeader("Retry-After"): "2"]))
            }
            return FlyingFox.HTTPResponse(statusCode: .ok, body: Data("ok".utf8))
        }
        let first = try await client.send(HTTPRequest(url: baseURL + "/flaky"))
        XCTAssertEqual(first.status, 503)
        XCTAssertTrue(first.isRetryableStatus)
        XCTAssertEqual(first.retryAfter, .seconds(2))
        let second = try await client.send(HTTPRequest(url: baseURL + "/flaky"))
        XCTAssertEqual(second.status, 200)
        XCTAssertFalse(HTTPResponse(status: 404).isRetryableStatus)
        XCTAssertTrue(HTTPResponse(status: 429).isRetryableStatus)
    }

    func testARefusedConnectionIsARetryableConnectError() async throws {
        let port = try freeLoopbackPort()
        do {
            _ = try await client.send(HTTPRequest(url: "http://127.0.0.1:\(port)/", timeout: .seconds(5)))
            XCTFail("expected a connection error")
        } catch let error as HTTPClientError {
            guard case .couldNotConnect = error else { return XCTFail("got \(error)") }
            XCTAssertTrue(error.isRetryable)
        }
    }

    func testAServerThatNeverAnswersHitsTheRequestTimeout() async throws {
        await server.appendRoute("GET /silent") { _ in
            try await Task.sleep(for: .seconds(30))
            return FlyingFox.HTTPResponse(statusCode: .ok)
        }
        let started = ContinuousClock.now
        do {
            _ = try await client.send(HTTPRequest(url: baseURL + "/silent", timeout: .milliseconds(300)))
            XCTFail("expected a timeout")
        } catch let error as HTTPClientError {
            guard case .timedOut = error else { return XCTFail("got \(error)") }
            XCTAssertTrue(error.isRetryable)
        }
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(10), "the timeout must fire, not the server's sleep")
    }

    func testAFiveMegabyteGzipBodyArrivesDecompressed() async throws {
        var original = Data(capacity: 5 << 20)
        var line = 0
        while original.count < 5 << 20 {
            original.append(contentsOf: "row \(line),GLDETAIL,\(line % 977).25,USD\n".utf8)
            line += 1
        }
        let compressed = try gzip(original)
        XCTAssertLessThan(compressed.count, original.count / 3)
        await server.appendRoute("GET /big") { request in
            let accepts = request.headers[HTTPHeader("Accept-Encoding")] ?? ""
            guard accepts.contains("gzip") else { return FlyingFox.HTTPResponse(statusCode: .badRequest) }
            return FlyingFox.HTTPResponse(statusCode: .ok, headers: [.contentEncoding: "gzip"], body: compressed)
        }
        let response = try await client.send(HTTPRequest(url: baseURL + "/big"))
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.body.count, original.count)
        XCTAssertEqual(response.body, original)
    }

    func testManyConcurrentRequestsShareOneClient() async throws {
        await server.appendRoute("GET /n") { request in
            FlyingFox.HTTPResponse(statusCode: .ok, body: Data((request.query["i"] ?? "").utf8))
        }
        let client = client, baseURL = baseURL
        let answers = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for i in 0..<200 {
                group.addTask { (i, try await client.send(HTTPRequest(url: "\(baseURL)/n?i=\(i)")).bodyText) }
            }
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        XCTAssertEqual(answers.count, 200)
        for (i, text) in answers { XCTAssertEqual(text, String(i)) }
    }

    func testCancellingTheCallerCancelsTheTransfer() async throws {
        let arrived = Counter()
        await server.appendRoute("GET /slow") { _ in
            _ = await arrived.increment()
            try await Task.sleep(for: .seconds(30))
            return FlyingFox.HTTPResponse(statusCode: .ok)
        }
        let client = client, url = baseURL + "/slow"
        let task = Task { try await client.send(HTTPRequest(url: url, timeout: .seconds(60))) }
        try await eventually("the request reaches the server") { await arrived.current > 0 }
        task.cancel()
        do {
            _ = try await task.value
            XCTFail("expected cancellation")
        } catch let error as HTTPClientError {
            guard case .cancelled = error else { return XCTFail("got \(error)") }
        }
    }

    // MARK: - Helpers

    private func gzip(_ data: Data) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-c"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let writer = Thread { input.fileHandleForWriting.write(data); try? input.fileHandleForWriting.close() }
        writer.start()
        let compressed = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return compressed
    }
}

private actor Counter {
    private var value = 0
    func increment() -> Int { value += 1; return value }
    var current: Int { value }
}
