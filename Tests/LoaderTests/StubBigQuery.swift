import FlyingFox
import FlyingSocks
import Foundation
import HTTP
import Operations
import Synchronization
@testable import Loader

/// A tiny HTTP server answering BigQuery paths with canned responses: real BigQuery's shapes the emulator
/// does not produce (stopped rows, quota errors, propagation 404s, a proxy's HTML page).
final class StubBigQuery: Sendable {
    private let server: HTTPServer
    private let task: Task<Void, any Error>
    private let recorder: Recorder
    let port: UInt16

    /// Every request body, in arrival order; shared with the server's route.
    private final class Recorder: Sendable {
        private let bodies = Mutex<[Data]>([])
        func append(_ body: Data) { bodies.withLock { $0.append(body) } }
        var all: [Data] { bodies.withLock { $0 } }
    }

    private init(server: HTTPServer, task: Task<Void, any Error>, port: UInt16, recorder: Recorder) {
        self.server = server
        self.task = task
        self.port = port
        self.recorder = recorder
    }

    static func start(_ answer: @escaping @Sendable (FlyingFox.HTTPRequest) -> (Int, String)) async throws -> StubBigQuery {
        let server = HTTPServer(address: try .inet(ip4: "127.0.0.1", port: 0), timeout: 30, logger: .disabled)
        let recorder = Recorder()
        await server.appendRoute("/bigquery/v2/*") { request in
            recorder.append(try await request.bodyData)
            let (status, body) = answer(request)
            return FlyingFox.HTTPResponse(statusCode: HTTPStatusCode(status, phrase: "Stub"),
                                          headers: [.contentType: "application/json"], body: Data(body.utf8))
        }
        let task = Task { try await server.run() }
        try await server.waitUntilListening(timeout: 10)
        guard case let .ip4(_, port)? = await server.listeningAddress else { throw CancellationError() }
        return StubBigQuery(server: server, task: task, port: port, recorder: recorder)
    }

    func client() -> BigQueryClient {
        let configuration = BigQueryConfiguration(
            project: "demo", dataset: "ds", endpoint: "http://127.0.0.1:\(port)",
            backoff: Backoff(initial: .milliseconds(10), maximum: .milliseconds(50), maxRetries: 4)
        )
        return BigQueryClient(configuration: configuration, tokenProvider: nil, http: HTTPClient(), logger: .init(label: "stub"))
    }

    func lastBody() -> Data { recorder.all.last ?? Data() }
    func requestCount() -> Int { recorder.all.count }

    func stop() async {
        await server.stop(timeout: 1)
        task.cancel()
    }
}
