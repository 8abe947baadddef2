import FlyingFox
import FlyingSocks
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// The small HTTP server every worker runs for its operators: `/healthz` (the process is alive),
/// `/readyz` (it can do its job: 503 with the reasons otherwise), `/metrics` (Prometheus), plus
/// routes a service adds (the poller's `POST /sync`).
public final class OperationsServer: Service, Sendable {
    /// Returns the reasons the worker is not ready; empty means ready.
    public typealias ReadinessCheck = @Sendable () async -> [String]

    private let server: HTTPServer
    private let readiness: ReadinessCheck
    private let logger: Logger

    public init(host: String = "0.0.0.0", port: UInt16, logger: Logger, readiness: @escaping ReadinessCheck = { [] }) throws {
        server = HTTPServer(address: try .inet(ip4: host, port: port), logger: DisabledLogger.disabled)  // FlyingFox logs every connection; ours are enough
        self.readiness = readiness
        self.logger = logger
    }

    /// Adds a route such as `"POST /sync"`; the handler answers with a status and a JSON body.
    public func addRoute(
        _ route: String, handler: @escaping @Sendable (_ body: Data, _ query: [String: String]) async -> (status: Int, json: String)
    ) async {
        await server.appendRoute(HTTPRoute(stringLiteral: route)) { request in
            let body = try await request.bodyData
            var query: [String: String] = [:]
            for item in request.query { query[item.name] = item.value }
            let (status, json) = await handler(body, query)
            return FlyingFox.HTTPResponse(
                statusCode: HTTPStatusCode(status, phrase: ""), headers: [.contentType: "application/json"],
                body: Data(json.utf8))
        }
    }

    /// The bound port once listening (useful with port 0).
    public func boundPort() async throws -> UInt16 {
        try await server.waitUntilListening()
        guard case let .ip4(_, port)? = await server.listeningAddress else { return 0 }
        return port
    }

    public func run() async throws {
        await server.appendRoute("GET /healthz") { _ in
            FlyingFox.HTTPResponse(statusCode: .ok, body: Data("ok\n".utf8))
        }
        await server.appendRoute("GET /readyz") { [readiness] _ in
            let reasons = await readiness()
            return reasons.isEmpty
                ? FlyingFox.HTTPResponse(statusCode: .ok, body: Data("ready\n".utf8))
                : FlyingFox.HTTPResponse(statusCode: .serviceUnavailable, body: Data((reasons.joined(separator: "\n") + "\n").utf8))
        }
        await server.appendRoute("GET /metrics") { _ in
            FlyingFox.HTTPResponse(
                statusCode: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: Data(MetricsRegistry.render().utf8))
        }
        // FlyingFox's run throws (SocketError.disconnected, CancellationError) when it is stopped or its
        // task cancelled; after a graceful shutdown or a cancellation by the service group that is the
        // expected end, not a failure — otherwise SIGTERM would make the worker exit 1.
        let stopping = StopRequest()
        do {
            try await withGracefulShutdownHandler {
                try await server.run()
            } onGracefulShutdown: { [server] in
                stopping.set()
                Task { await server.stop(timeout: 2) }
            }
        } catch where stopping.isSet || Task.isCancelled || error is CancellationError {
            logger.debug("operations server stopped", metadata: ["detail": "\(error)"])
        }
    }
}

/// Set once a graceful shutdown asked the server to stop.
private final class StopRequest: Sendable {
    private let requested = Mutex(false)
    func set() { requested.withLock { $0 = true } }
    var isSet: Bool { requested.withLock { $0 } }
}
