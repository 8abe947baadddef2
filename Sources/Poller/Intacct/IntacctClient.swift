import Foundation
import Logging
import HTTP
import Synchronization
import Timestamps
import Operations

/// The Intacct XML gateway client for one company: sessions per entity, throttling shared by every
/// caller, retries, and paging. Safe to share between tasks.
public final class IntacctClient: Sendable {
    public let configuration: IntacctConfiguration
    public let throttle: RequestThrottle
    public let sessions: IntacctSessionCache
    /// Whether the gateway answers, as the latest exchange (or a probe) found: for `/readyz`.
    public let reachability: IntacctReachability
    private let gateway: IntacctGateway
    private let logger: Logger

    /// - Parameters:
    ///   - throttle: pass one to share a company's allowance between clients; by default one is made
    ///     from the configuration.
    public init(
        configuration: IntacctConfiguration,
        httpClient: HTTPClient = HTTPClient(),
        throttle: RequestThrottle? = nil,
        logger: Logger = Logger(label: "intacct.client"),
        clock: any ServiceClock = .system
    ) {
        self.configuration = configuration
        let throttle = throttle ?? RequestThrottle(
            maxConcurrent: configuration.maxConcurrentRequests,
            requestsPerSecond: configuration.requestsPerSecond
        )
        self.throttle = throttle
        self.sessions = IntacctSessionCache(maxAge: configuration.sessionMaxAge, clock: clock)
        self.logger = logger
        let reachability = IntacctReachability(clock: clock)
        self.reachability = reachability
        self.gateway = IntacctGateway(
            httpClient: httpClient,
            throttle: throttle,
            backoff: configuration.backoff,
            timeout: configuration.requestTimeout,
            logger: logger,
            reachability: reachability,
            clock: clock
        )
    }

    /// Why the gateway is unreachable, or nil if it answered lately (probing it, without credentials,
    /// when it was not heard from for `reachability.freshness`).
    public func unreachable(probeTimeout: Duration = .seconds(5)) async -> IntacctError? {
        let gateway = gateway, endpoint = configuration.endpoint
        return await reachability.unreachable { await gateway.probe(endpoint, timeout: probeTimeout) }
    }

    // MARK: - Reading

    /// Pages through `query` by offset until Intacct reports nothing remaining. Pages are fetched as
    /// the consumer asks for them, so a slow consumer never has more than one page in hand.
    public func query(_ query: IntacctQuery, entity: String? = nil) -> AsyncThrowingStream<IntacctPage, Error> {
        let pageSize = min(max(1, configuration.pageSize), 2000)
        let cursor = Cursor()
        return AsyncThrowingStream {
            guard !cursor.done else { return nil }
            let (result, sanitized) = try await self.call(.query(query, pageSize: pageSize, offset: cursor.offset), entity: entity)
            let page = IntacctPage(object: query.object, result: result, offset: cursor.offset, sanitizedCharacters: sanitized)
            let numRemaining = page.numRemaining
            cursor.offset += result.rows.count
            if numRemaining <= 0 {
                cursor.done = true
            } else if result.rows.isEmpty {
                // Offset paging cannot advance on an empty page; stopping beats looping forever.
                self.logger.warning("Intacct query returned an empty page with rows remaining", metadata: [
                    "object": "\(query.object)", "offset": "\(cursor.offset)", "numremaining": "\(numRemaining)",
                ])
                throw IntacctError.malformedResponse(status: 200, detail: "empty page with numremaining=\(numRemaining) at offset \(cursor.offset)")
            }
            return page
        }
    }

    /// Rows of `object` modified at or after `since`, in WHENMODIFIED, RECORDNO order. An inclusive
    /// bound because timestamps have one-second resolution: the caller dedupes on the key. `since` is an
    /// instant, sent in the local form of `timeZone` (default: `intacct.timezone`, else UTC; pass the
    /// session's zone from `timeZone(entity:)` when the setting is absent).
    public func modifiedSince(object: String, fields: [String], since: Date, entity: String? = nil,
                              timeZone: IntacctTimeZone? = nil) -> AsyncThrowingStream<IntacctPage, Error> {
        let zone = timeZone ?? configuration.timeZone ?? .utc
        return query(IntacctQuery(object: object, fields: fields, filter: .atOrAfter("WHENMODIFIED", since, in: zone)), entity: entity)
    }

    /// The legacy readByQuery, continued with readMore. If Intacct refuses the result id part-way
    /// (it is tied to a session and short-lived), the stream ends with `IntacctError.readMoreRejected`.
    public func readByQuery(object: String, fields: [String], query: String, entity: String? = nil) -> AsyncThrowingStream<IntacctPage, Error> {
        // readByQuery's documented page size is 1..1000.
        let pageSize = min(max(1, configuration.pageSize), 1000)
        let cursor = Cursor()
        return AsyncThrowingStream {
            guard !cursor.done else { return nil }
            let function: IntacctFunction = cursor.resultID.isEmpty
                ? .readByQuery(object: object, fields: fields, query: query, pageSize: pageSize)
                : .readMore(resultID: cursor.resultID)
            let result: IntacctResponse.Result
            let sanitized: Int
            do {
                (result, sanitized) = try await self.call(function, entity: entity)
            } catch let IntacctError.resultFailed(_, _, _, _, errors) where !cursor.resultID.isEmpty {
                throw IntacctError.readMoreRejected(object: object, resultID: cursor.resultID, errors: errors)
            }
            let page = IntacctPage(object: object, result: result, offset: cursor.offset, sanitizedCharacters: sanitized)
            let numRemaining = page.numRemaining
            cursor.offset += result.rows.count
            cursor.resultID = result.data?.resultID ?? ""
            if numRemaining <= 0 {
                cursor.done = true
            } else if cursor.resultID.isEmpty {
                throw IntacctError.malformedResponse(status: 200, detail: "readByQuery on \(object) has \(numRemaining) rows remaining but no resultId")
            }
            return page
        }
    }

    /// The field definitions of `object`, for schema discovery.
    public func lookup(object: String, entity: String? = nil) async throws -> [IntacctFieldDefinition] {
        try await call(.lookup(object: object), entity: entity).result.rows.map(IntacctFieldDefinition.init(row:))
    }

    // MARK: - Calls and sessions

    /// Runs one function with a cached session for `entity`. An authentication failure with a cached
    /// session clears it and retries once with a fresh one; a result failure throws `resultFailed`.
    public func call(_ function: IntacctFunction, entity: String?) async throws -> (result: IntacctResponse.Result, sanitizedCharacters: Int) {
        var renewed = false
        while true {
            let session = try await sessions.session(for: entity) { [self] in try await openSession(entity: entity) }
            let request = IntacctRequest(
                senderID: configuration.senderID,
                senderPassword: configuration.senderPassword,
                authentication: .session(id: session.sessionID),
                calls: [IntacctRequest.Call(function: function)]
            )
            let response = try await gateway.send(request, to: session.endpoint)
            if let authentication = response.authentication, authentication.status != "success" {
                await sessions.invalidate(entity: entity, sessionID: session.sessionID)
                if renewed {
                    throw IntacctError.authenticationFailed(controlID: request.controlID, errors: authentication.errors)
                }
                renewed = true
                logger.info("Intacct session refused; opening a new one", metadata: [
                    "entity": "\(entity ?? "top")", "session": "\(Self.redacted(session.sessionID))",
                    "errors": "\(authentication.errors.map(\.description).joined(separator: "; "))",
                ])
                continue
            }
            if let idle = response.authentication.flatMap(Self.idleTimeout) {
                await sessions.touch(entity: entity, sessionID: session.sessionID, idleTimeout: idle)
            }
            guard let result = response.results.first else {
                throw IntacctError.malformedResponse(status: 200, detail: "no result for \(function.name)")
            }
            guard result.succeeded else {
                throw IntacctError.resultFailed(
                    status: result.status, function: result.function.isEmpty ? function.name : result.function,
                    controlID: result.controlID, object: function.object, errors: result.errors
                )
            }
            if response.sanitizedCharacters > 0 {
                logger.warning("removed XML-invalid characters from an Intacct response", metadata: [
                    "function": "\(function.name)", "object": "\(function.object ?? "")", "count": "\(response.sanitizedCharacters)",
                ])
            }
            return (result, response.sanitizedCharacters)
        }
    }

    /// The (cached) API session for an entity, opening one if needed: proves the credentials work.
    public func session(entity: String? = nil) async throws -> IntacctAPISession {
        try await sessions.session(for: entity) { [self] in try await openSession(entity: entity) }
    }

    /// getAPISession with the user's credentials, in a request of its own as Intacct asks.
    private func openSession(entity: String?) async throws -> (IntacctAPISession, idleTimeout: Duration?) {
        let request = IntacctRequest(
            senderID: configuration.senderID,
            senderPassword: configuration.senderPassword,
            authentication: .login(
                userID: configuration.userID, companyID: configuration.companyID,
                password: configuration.userPassword, locationID: entity
            ),
            calls: [IntacctRequest.Call(function: .getAPISession(locationID: entity))]
        )
        let response = try await gateway.send(request, to: configuration.endpoint)
        if let authentication = response.authentication, authentication.status != "success" {
            throw IntacctError.authenticationFailed(controlID: request.controlID, errors: authentication.errors)
        }
        guard let result = response.results.first else {
            throw IntacctError.malformedResponse(status: 200, detail: "no result for getAPISession")
        }
        guard result.succeeded else {
            throw IntacctError.resultFailed(status: result.status, function: "getAPISession", controlID: result.controlID, object: nil, errors: result.errors)
        }
        guard var api = result.api, !api.sessionID.isEmpty else {
            throw IntacctError.malformedResponse(status: 200, detail: "getAPISession returned no session id")
        }
        if api.endpoint.isEmpty { api.endpoint = configuration.endpoint }
        api.timeZone = response.authentication.flatMap { IntacctTimeZone(sessionTimestamp: $0.sessionTimestamp) }
        logger.info("opened Intacct session", metadata: [
            "entity": "\(entity ?? "top")", "session": "\(Self.redacted(api.sessionID))", "endpoint": "\(api.endpoint)",
        ])
        return (api, response.authentication.flatMap(Self.idleTimeout))
    }

    /// Intacct's idle timeout as a duration: `sessiontimeout - sessiontimestamp`, both from the server,
    /// so a skewed local clock (or the sandbox's virtual one) does not matter.
    static func idleTimeout(_ authentication: IntacctResponse.Authentication) -> Duration? {
        guard let start = parseTimestamp(authentication.sessionTimestamp),
              let end = parseTimestamp(authentication.sessionTimeout), end > start else { return nil }
        return .milliseconds(Int64(end.timeIntervalSince(start) * 1000))
    }

    private static func parseTimestamp(_ text: String) -> Date? {
        guard !text.isEmpty else { return nil }
        return IntacctTimestamp.parseRFC3339(text) ?? IntacctTimestamp.parse(text)
    }

    /// The first few characters only: enough to correlate log lines, useless to an attacker.
    static func redacted(_ secret: String) -> String {
        secret.count <= 4 ? "…" : String(secret.prefix(4)) + "…"
    }

    /// Paging position. Only the stream's serial `unfolding` closure touches it, but that closure is
    /// `@Sendable`, so the position lives behind a lock the compiler can check.
    private final class Cursor: Sendable {
        struct Position {
            var offset = 0
            var resultID = ""
            var done = false
        }

        private let position = Mutex(Position())

        var offset: Int {
            get { position.withLock { $0.offset } }
            set { position.withLock { $0.offset = newValue } }
        }

        var resultID: String {
            get { position.withLock { $0.resultID } }
            set { position.withLock { $0.resultID = newValue } }
        }

        var done: Bool {
            get { position.withLock { $0.done } }
            set { position.withLock { $0.done = newValue } }
        }
    }
}
