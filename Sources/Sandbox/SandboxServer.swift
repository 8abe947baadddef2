import FlyingFox
import FlyingSocks
import Foundation
import Synchronization

/// A local, deterministic Sage Intacct company speaking the XML gateway protocol over real HTTP, with an
/// admin API and fault injection. For tests, the demo and benchmarks — never for production paths.
///
/// ```swift
/// let sandbox = SandboxServer(configuration: SandboxConfiguration(seed: 7, scale: 50_000))
/// try await sandbox.start()
/// // POST XML to sandbox.gatewayURL …
/// await sandbox.stop()
/// ```
public final class SandboxServer: Sendable {
    /// What the sandbox serves and how strict it is.
    public let configuration: SandboxConfiguration

    private let state: SandboxState
    private let admin: AdminAPI
    private let listener = Mutex(Listener())

    /// The running HTTP server and where it listens; empty before `start` and after `stop`.
    private struct Listener {
        var server: HTTPServer?
        var serverTask: Task<Void, Error>?
        var host = "127.0.0.1"
        var port = 0
    }

    public init(configuration: SandboxConfiguration = SandboxConfiguration()) {
        self.configuration = configuration
        state = SandboxState(configuration: configuration)
        admin = AdminAPI(state: state)
    }

    /// Binds `host:port` (0 = an ephemeral port) and starts serving; returns once the socket listens.
    public func start(host: String = "127.0.0.1", port: Int = 0) async throws {
        let address = try sockaddr_in.inet(ip4: host, port: UInt16(port))
        // The handler timeout must outlast the latency fault; the default 15 s would cut it short.
        let config = HTTPServer.Configuration(address: address, timeout: 900, logger: .disabled)
        let server = HTTPServer(config: config)
        await server.appendRoute("*") { [weak self] request in
            guard let self else { return HTTPResponse(statusCode: .serviceUnavailable) }
            return await self.route(request)
        }
        let task = Task { try await server.run() }
        try await server.waitUntilListening(timeout: 10)
        guard case .ip4(_, let boundPort)? = await server.listeningAddress else {
            task.cancel()
            throw SandboxStartError(message: "the sandbox could not read the port it bound")
        }
        listener.withLock { $0 = Listener(server: server, serverTask: task, host: host, port: Int(boundPort)) }
    }

    /// Stops listening and closes open connections.
    public func stop() async {
        let (server, task) = listener.withLock { ($0.server, $0.serverTask) }
        await server?.stop(timeout: 0)
        task?.cancel()
        listener.withLock { $0.server = nil; $0.serverTask = nil }
    }

    /// The bound port (after `start`).
    public var port: Int { listener.withLock { $0.port } }

    /// `http://HOST:PORT/ia/xml/xmlgw.phtml`, also returned as `<endpoint>` by getAPISession.
    public var gatewayURL: URL { URL(string: gatewayURLString)! }
    /// The `intacct:` credential lines for this server's gateway (`SandboxConfiguration.intacctCredentialsYAML`).
    public var intacctCredentialsYAML: String { configuration.intacctCredentialsYAML(endpoint: gatewayURL.absoluteString) }

    /// `http://HOST:PORT`, where `/admin/…` lives.
    public var baseURL: URL { URL(string: listener.withLock { "http://\($0.host):\($0.port)" })! }

    private var gatewayURLString: String { listener.withLock { "http://\($0.host):\($0.port)/ia/xml/xmlgw.phtml" } }

    // MARK: Swift mirror of the admin API

    /// Per entity (`top`, `E100`…) and object: count and money over records that are not deleted.
    public func totals() -> SandboxTotals { admin.totals() }

    /// GL debits and credits per entity, cost center and account category (`GET /admin/totals/gl`).
    public func glBalances() -> [SandboxGLBalance] { admin.glBalances() }

    /// Per entity and GL account: start balance, debits, credits, adjustments and end balance over a date
    /// range (`MM/DD/YYYY`, inclusive; nil = open-ended), as `get_trialbalance` answers (`GET /admin/totals/trialbalance`).
    public func trialBalance(start: String? = nil, end: String? = nil) throws -> [SandboxTrialBalanceLine] {
        try admin.trialBalance(start: start, end: end)
    }

    /// Every record of an object in one entity (`top` for top-level objects), with its current
    /// WHENMODIFIED; deleted records are listed with `deleted = true`.
    public func records(object: String, entity: String = "top") throws -> [SandboxRecordVersion] {
        try admin.records(object: object, entity: entity)
    }

    /// Modifies and deletes records (new WHENMODIFIED = the clock's now), keeping the contract's invariants,
    /// and writes AUDITHISTORY rows (`M`, `D`).
    public func mutate(object: String, entity: String = "", modify: Int = 0, delete: Int = 0) throws -> SandboxMutation {
        try admin.mutate(object: object, entity: entity, modify: modify, delete: delete)
    }

    /// Adds a custom field to `object` while running (schema drift): lookup lists it from now on, and
    /// records modified from now on carry deterministic values for it (older versions send it empty).
    /// `type` is an Intacct DATATYPE. Throws for an unknown object or type, or an existing field.
    @discardableResult
    public func addCustomField(object: String, field: String, type: String) throws -> SandboxAddedField {
        try admin.addField(object: object, field: field, type: type)
    }

    /// Moves the sandbox clock forward; returns the new time as `MM/DD/YYYY HH:MM:SS`.
    @discardableResult
    public func advanceClock(seconds: Int) -> String { admin.advanceClock(seconds: seconds) }

    /// The sandbox clock, `MM/DD/YYYY HH:MM:SS` UTC.
    public var now: String { IntacctTime.timestamp(state.locked { $0.now }) }

    /// Adds a fault rule.
    public func addFault(_ fault: SandboxFault) { state.locked { $0.faultInjector.add(fault) } }

    /// Removes every fault rule.
    public func clearFaults() { state.locked { $0.faultInjector.clear() } }

    /// Gateway counters.
    public func stats() -> SandboxStats { state.locked { $0.counters } }

    /// Zeroes the counters (requests in flight stay counted).
    public func resetStats() { admin.resetStats() }

    // MARK: HTTP

    private func route(_ request: FlyingFox.HTTPRequest) async -> HTTPResponse {
        let body = (try? await request.bodyData) ?? Data()
        let path = request.path
        if path.hasPrefix("/admin/") {
            var query: [String: String] = [:]
            for item in request.query { query[item.name] = item.value }
            let reply = admin.handle(method: request.method.rawValue.uppercased(), path: path, query: query, body: body)
            return HTTPResponse(statusCode: Self.status(reply.status), headers: [.contentType: reply.contentType], body: Data(reply.body))
        }
        guard path == "/" || path == "/ia/xml/xmlgw.phtml" else {
            return HTTPResponse(statusCode: .notFound, headers: [.contentType: "text/plain"], body: Data("no such path\n".utf8))
        }
        guard request.method == .POST else {
            return HTTPResponse(statusCode: .methodNotAllowed, headers: [.contentType: "text/plain"], body: Data("POST XML here\n".utf8))
        }
        let reply = await GatewayHandler(state: state, gatewayURL: gatewayURLString)
            .handle(Array(body), gzip: GzipEncoding.accepts(request.headers[HTTPHeader("Accept-Encoding")]))
        var headers = HTTPHeaders()
        for (name, value) in reply.headers { headers[HTTPHeader(name)] = value }
        // FlyingFox writes a Data body 4 KB at a time, each chunk a copy and a trip through its socket
        // pool; a 1000-row page is close to a megabyte, so it goes out in large chunks instead.
        return HTTPResponse(statusCode: Self.status(reply.status), headers: headers,
                            body: HTTPBodySequence(data: Data(reply.body), suggestedBufferSize: 256 * 1024))
    }

    private static func status(_ code: Int) -> HTTPStatusCode {
        switch code {
        case 200: return .ok
        case 400: return .badRequest
        case 404: return .notFound
        case 429: return HTTPStatusCode(429, phrase: "Too Many Requests")
        case 502: return .badGateway
        case 503: return .serviceUnavailable
        case 524: return HTTPStatusCode(524, phrase: "A Timeout Occurred")
        default: return HTTPStatusCode(code, phrase: "Error")
        }
    }
}

/// The sandbox could not start listening.
public struct SandboxStartError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
