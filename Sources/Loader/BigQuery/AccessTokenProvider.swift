import Foundation
import Logging
import Cryptography
import HTTP

/// Service-account OAuth for BigQuery: signs an RS256 JWT assertion with the key, trades it at the
/// key's `token_uri` for an access token, and caches that token for its lifetime.
///
/// An actor because the token is a shared cache: every request of every table goes through `token()`,
/// and when it expires (or BigQuery answers 401) exactly one refresh must happen, with every concurrent
/// caller waiting on that same refresh instead of stampeding the token endpoint.
public actor AccessTokenProvider {
    /// The OAuth scope for BigQuery read/write.
    public static let bigQueryScope = "https://www.googleapis.com/auth/bigquery"

    private let key: ServiceAccountKey
    private let signingKey: RSAPrivateKey
    private let http: HTTPClient
    private let scope: String
    private let refreshMargin: Duration
    private let requestTimeout: Duration
    private let logger: Logger
    private let now: @Sendable () -> Date

    private var current: AccessToken?
    private var refreshing: Task<AccessToken, any Error>?
    /// How many times the token endpoint was called (tests and metrics).
    public private(set) var tokenRequests = 0

    /// - Parameters:
    ///   - refreshMargin: refresh this long before expiry, so a request never leaves with a token that
    ///     expires in flight.
    ///   - now: the wall clock (JWT `iat`/`exp` are wall-clock seconds); replaceable in tests.
    public init(
        key: ServiceAccountKey, http: HTTPClient, scope: String = AccessTokenProvider.bigQueryScope,
        refreshMargin: Duration = .seconds(300), requestTimeout: Duration = .seconds(30),
        logger: Logger = Logger(label: "bigquery.auth"), now: @escaping @Sendable () -> Date = { Date() }
    ) throws {
        self.key = key
        self.signingKey = try key.signingKey()
        self.http = http
        self.scope = scope
        self.refreshMargin = refreshMargin
        self.requestTimeout = requestTimeout
        self.logger = logger
        self.now = now
    }

    /// A token valid for at least the refresh margin, from the cache or from one shared refresh.
    public func token() async throws -> AccessToken {
        if let current, current.expiresAt.timeIntervalSince(now()) > refreshMargin.seconds { return current }
        if let refreshing { return try await refreshing.value }
        let task = Task { try await self.fetch() }
        refreshing = task
        defer { refreshing = nil }
        do {
            let token = try await task.value
            current = token
            return token
        } catch {
            current = nil
            throw error
        }
    }

    /// Drops `token` from the cache after the server refused it (HTTP 401), so the next `token()` fetches
    /// a new one. A stale 401 for a token that was already replaced is ignored: many requests failing
    /// with the same old token must cause one refresh, not one each.
    public func invalidate(_ token: AccessToken) {
        if current == token { current = nil }
    }

    private func fetch() async throws -> AccessToken {
        tokenRequests += 1
        let operation = "token request to \(key.tokenURI)"
        let issuedAt = Int(now().timeIntervalSince1970)
        let jwt = JSONWebToken(
            header: .init(kid: key.privateKeyID),
            claims: .init(iss: key.clientEmail, scope: scope, aud: key.tokenURI, iat: issuedAt, exp: issuedAt + 3600)
        )
        let assertion: String
        do { assertion = try jwt.signed(with: signingKey) } catch {
            throw BigQueryError(kind: .authentication, operation: operation, message: "cannot sign the JWT: \(error)", isRetryable: false)
        }
        let body = "grant_type=" + Self.formEncode("urn:ietf:params:oauth:grant-type:jwt-bearer") + "&assertion=" + Self.formEncode(assertion)
        let request = HTTPRequest(
            method: "POST", url: key.tokenURI,
            headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")],
            body: Data(body.utf8), timeout: requestTimeout
        )
        let response: HTTPResponse
        do { response = try await http.send(request) } catch let error as HTTPClientError {
            throw BigQueryError(kind: .authentication, operation: operation, message: error.description, isRetryable: error.isRetryable)
        }
        guard response.isSuccess else {
            // A refusal that is not OAuth's error JSON (a proxy's HTML page) still names the status.
            let refusal = try? JSONDecoder().decode(OAuthErrorResponse.self, from: response.body)
            let description = refusal?.errorDescription ?? "HTTP \(response.status)"
            logger.warning("token endpoint refused the assertion", metadata: [
                "error_system": "oauth", "http_status": "\(response.status)", "oauth_error": "\(refusal?.error ?? "-")",
                "client_email": "\(key.clientEmail)",
            ])
            throw BigQueryError(kind: .authentication, operation: operation, status: response.status, reason: refusal?.error,
                                message: "token endpoint refused the service-account assertion: \(description)",
                                retryAfter: response.retryAfter, isRetryable: response.isRetryableStatus)
        }
        let answer: TokenResponse
        do { answer = try JSONDecoder().decode(TokenResponse.self, from: response.body) } catch {
            throw BigQueryError(kind: .authentication, operation: operation, status: response.status,
                                message: "token response is not a JSON object", isRetryable: false)
        }
        guard let value = answer.accessToken, !value.isEmpty else {
            throw BigQueryError(kind: .authentication, operation: operation, status: response.status,
                                message: "token response has no access_token", isRetryable: false)
        }
        let lifetime = answer.expiresIn ?? 3600
        logger.debug("obtained access token", metadata: ["expires_in": "\(lifetime)", "client_email": "\(key.clientEmail)"])
        return AccessToken(value: value, expiresAt: now().addingTimeInterval(lifetime))
    }

    /// `application/x-www-form-urlencoded` value encoding: unreserved characters stay, the rest is %XX.
    static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

extension Duration {
    /// Whole and fractional seconds, for comparisons with `Date` intervals.
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
