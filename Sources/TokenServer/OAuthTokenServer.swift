import FlyingFox
import FlyingSocks
import Foundation
import Cryptography
import HTTP

/// A local stand-in for `oauth2.googleapis.com` and, behind it, BigQuery's auth check.
///
/// `POST /token` accepts the RFC 7523 service-account assertion Google's token endpoint accepts: it
/// verifies the RS256 signature with the configured account's public key, then checks `iss`, `aud`
/// (this server's `/token` URL), `exp`/`iat` and `scope`, and issues a short-lived opaque access token.
/// Refusals use Google's OAuth error JSON (`invalid_grant` and a description naming the cause).
///
/// `/bigquery/v2/*` is an authenticating reverse proxy to an upstream (the BigQuery emulator): a request
/// with a live bearer token is forwarded, anything else gets Google's 401. Revoking or expiring tokens
/// (Swift API or `POST /admin/oauth/revoke|expire`) makes the next BigQuery call fail with 401, which
/// is how tests drive "401 → refresh → success" end to end. Tests, demo and benchmarks only.
public actor OAuthTokenServer {
    /// Counters for tests: how often each path was taken.
    public struct Stats: Sendable, Equatable {
        public var tokenRequests = 0
        public var tokensIssued = 0
        public var tokenRefusals = 0
        public var proxiedRequests = 0
        public var unauthorizedRequests = 0
    }

    private struct IssuedToken {
        var expiresAt: Date
    }

    private let clientEmail: String
    private let publicKey: RSAPublicKey
    private let requiredScope: String
    private let tokenLifetime: Int
    private let upstream: String?
    private let http: HTTP.HTTPClient
    private var server: HTTPServer?
    private var runTask: Task<Void, any Error>?
    private var tokens: [String: IssuedToken] = [:]
    public private(set) var stats = Stats()
    /// The port the server listens on, once started.
    public private(set) var port: UInt16 = 0

    /// - Parameters:
    ///   - clientEmail: the only service account accepted (`iss`).
    ///   - publicKeyPEM: that account's public key (SubjectPublicKeyInfo PEM).
    ///   - upstream: `host:port` of the BigQuery API to proxy to (the emulator); `nil` disables the proxy.
    ///   - tokenLifetimeSeconds: `expires_in` of issued tokens.
    public init(
        clientEmail: String, publicKeyPEM: String, upstream: String? = nil,
        requiredScope: String = "https://www.googleapis.com/auth/bigquery", tokenLifetimeSeconds: Int = 3600
    ) throws {
        self.clientEmail = clientEmail
        self.publicKey = try RSAPublicKey(pem: publicKeyPEM)
        self.upstream = upstream
        self.requiredScope = requiredScope
        self.tokenLifetime = tokenLifetimeSeconds
        self.http = HTTP.HTTPClient()
    }

    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }
    /// The URL to put in a service-account key's `token_uri`.
    public var tokenURI: String { baseURL + "/token" }

    /// Starts listening on an ephemeral loopback port and returns it.
    @discardableResult
    public func start() async throws -> UInt16 {
        let server = HTTPServer(address: try .inet(ip4: "127.0.0.1", port: 0), timeout: 30, logger: .disabled)
        await server.appendRoute("POST /token") { [unowned self] request in
            await self.handleToken(body: try await request.bodyData)
        }
        await server.appendRoute("POST /admin/oauth/revoke") { [unowned self] _ in
            await self.revokeAllTokens()
            return Self.json(200, ["revoked": true])
        }
        await server.appendRoute("POST /admin/oauth/expire") { [unowned self] _ in
            await self.expireAllTokens()
            return Self.json(200, ["expired": true])
        }
        await server.appendRoute("GET /admin/oauth/stats") { [unowned self] _ in
            let stats = await self.stats
            return Self.json(200, [
                "token_requests": stats.tokenRequests, "tokens_issued": stats.tokensIssued, "token_refusals": stats.tokenRefusals,
                "proxied_requests": stats.proxiedRequests, "unauthorized_requests": stats.unauthorizedRequests,
            ])
        }
        await server.appendRoute("/bigquery/v2/*") { [unowned self] request in
            try await self.handleProxy(request)
        }
        self.server = server
        runTask = Task { try await server.run() }
        try await server.waitUntilListening(timeout: 10)
        if case let .ip4(_, port)? = await server.listeningAddress { self.port = port }
        return port
    }

    public func stop() async {
        await server?.stop(timeout: 1)
        runTask?.cancel()
        server = nil
        runTask = nil
    }

    /// Every issued token stops working (as if the account's tokens were revoked).
    public func revokeAllTokens() { tokens.removeAll() }

    /// Every issued token is past its expiry from now on (tokens stay known, so it is "expired", not "unknown").
    public func expireAllTokens() {
        let past = Date().addingTimeInterval(-1)
        for key in tokens.keys { tokens[key]?.expiresAt = past }
    }

    /// Whether `token` is currently accepted.
    public func isValid(_ token: String) -> Bool {
        guard let issued = tokens[token] else { return false }
        return issued.expiresAt > Date()
    }

    // MARK: Token endpoint

    func handleToken(body: Data) -> FlyingFox.HTTPResponse {
        stats.tokenRequests += 1
        let form = Self.parseForm(body)
        guard form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer" else {
            return refuse("unsupported_grant_type", "Invalid grant_type: \(form["grant_type"] ?? "(none)")")
        }
        guard let assertion = form["assertion"], !assertion.isEmpty else {
            return refuse("invalid_request", "Missing required parameter: assertion")
        }
        let jwt: JSONWebToken
        do { jwt = try JSONWebToken.verified(assertion, with: publicKey) } catch let error as JSONWebTokenError {
            switch error {
            case .badSignature: return refuse("invalid_grant", "Invalid JWT Signature.")
            case let .malformed(detail): return refuse("invalid_grant", "Invalid JWT: \(detail)")
            case let .unsupportedAlgorithm(alg): return refuse("invalid_grant", "Invalid JWT: unsupported algorithm \(alg)")
            }
        } catch {
            return refuse("invalid_grant", "Invalid JWT")
        }
        let claims = jwt.claims
        let now = Int(Date().timeIntervalSince1970)
        guard claims.iss == clientEmail else { return refuse("invalid_grant", "Invalid JWT: unknown issuer \(claims.iss)") }
        guard claims.aud == tokenURI else { return refuse("invalid_grant", "Invalid JWT: audience \(claims.aud) is not \(tokenURI)") }
        guard claims.exp > now else { return refuse("invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values") }
        guard claims.iat <= now + 60, claims.exp - claims.iat <= 3600 else {
            return refuse("invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values")
        }
        guard claims.scope.split(separator: " ").contains(Substring(requiredScope)) else {
            return refuse("invalid_scope", "Invalid OAuth scope or ID token audience provided.")
        }
        let token = "sbx." + Self.randomHex(bytes: 24)
        tokens[token] = IssuedToken(expiresAt: Date().addingTimeInterval(TimeInterval(tokenLifetime)))
        stats.tokensIssued += 1
        return Self.json(200, ["access_token": token, "expires_in": tokenLifetime, "token_type": "Bearer"])
    }

    private func refuse(_ error: String, _ description: String) -> FlyingFox.HTTPResponse {
        stats.tokenRefusals += 1
        return Self.json(400, ["error": error, "error_description": description])
    }

    // MARK: Authenticating proxy

    func handleProxy(_ request: FlyingFox.HTTPRequest) async throws -> FlyingFox.HTTPResponse {
        let authorization = request.headers[HTTPHeader("Authorization")] ?? ""
        let token = authorization.hasPrefix("Bearer ") ? String(authorization.dropFirst(7)) : ""
        guard isValid(token) else {
            stats.unauthorizedRequests += 1
            return Self.json(401, ["error": [
                "code": 401,
                "message": "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
                "errors": [["message": "Invalid Credentials", "domain": "global", "reason": "authError",
                            "location": "Authorization", "locationType": "header"]],
                "status": "UNAUTHENTICATED",
            ] as [String: Any]], extraHeaders: [("WWW-Authenticate", "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\"")])
        }
        guard let upstream else { return Self.json(502, ["error": ["code": 502, "message": "no upstream configured"]]) }
        stats.proxiedRequests += 1
        let query = request.target.query(percentEncoded: true)
        let url = "http://\(upstream)\(request.target.path(percentEncoded: true))" + (query.isEmpty ? "" : "?\(query)")
        var headers: [(name: String, value: String)] = []
        if let type = request.headers[.contentType] { headers.append(("Content-Type", type)) }
        let forwarded = HTTP.HTTPRequest(method: request.method.rawValue, url: url, headers: headers,
                                           body: try await request.bodyData, timeout: .seconds(60))
        let response: HTTP.HTTPResponse
        do { response = try await http.send(forwarded) } catch {
            return Self.json(502, ["error": ["code": 502, "message": "upstream unreachable: \(error)", "status": "UNAVAILABLE"]])
        }
        var out = HTTPHeaders()
        out[.contentType] = response.headers["content-type"] ?? "application/json"
        return FlyingFox.HTTPResponse(statusCode: HTTPStatusCode(response.status, phrase: "Upstream"), headers: out, body: response.body)
    }

    // MARK: Helpers

    private static func json(_ status: Int, _ object: [String: Any], extraHeaders: [(String, String)] = []) -> FlyingFox.HTTPResponse {
        let body = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        var headers = HTTPHeaders()
        headers[.contentType] = "application/json; charset=utf-8"
        for (name, value) in extraHeaders { headers[HTTPHeader(name)] = value }
        return FlyingFox.HTTPResponse(statusCode: HTTPStatusCode(status, phrase: status == 200 ? "OK" : "Error"), headers: headers, body: body)
    }

    static func parseForm(_ body: Data) -> [String: String] {
        var form: [String: String] = [:]
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text)
            }
            form[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return form
    }

    private static func randomHex(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<bytes).map { _ in UInt8.random(in: .min ... .max, using: &generator) }).hexString
    }
}
