import Foundation
import Logging
import Metrics
import HTTP
import Operations

/// One company's HTTP exchange with the XML gateway: throttled, retried with backoff, and every kind
/// of answer (XML, HTML error page, bare status) turned into a parsed response or a typed error.
public struct IntacctGateway: Sendable {
    public let httpClient: HTTPClient
    public let throttle: RequestThrottle
    public var backoff: Backoff
    public var timeout: Duration
    public var logger: Logger
    /// Told the outcome of every exchange, so `/readyz` knows whether the gateway answers.
    public let reachability: IntacctReachability
    /// Where retry delays are waited out.
    public var clock: any ServiceClock

    public init(httpClient: HTTPClient, throttle: RequestThrottle, backoff: Backoff, timeout: Duration, logger: Logger,
                reachability: IntacctReachability = IntacctReachability(), clock: any ServiceClock = .system) {
        self.httpClient = httpClient
        self.throttle = throttle
        self.backoff = backoff
        self.timeout = timeout
        self.logger = logger
        self.reachability = reachability
        self.clock = clock
    }

    /// Sends `request` to `url`, retrying what `IntacctError.isRetryable` allows. Application failures
    /// at authentication and result level are returned inside the response, not thrown.
    public func send(_ request: IntacctRequest, to url: String) async throws -> IntacctResponse {
        let body = try request.xml()
        let functions = request.calls.map(\.function.name).joined(separator: ",")
        var attempt = 0
        while true {
            do {
                let response: IntacctResponse
                do {
                    response = try Self.interpret(try await exchange(body: body, url: url))
                } catch let error as IntacctError {
                    await reachability.record(IntacctReachability.meansUnreachable(error) ? error : nil)
                    throw error
                }
                await reachability.record(nil)
                return response
            } catch let error as IntacctError where error.isRetryable && backoff.allowsRetry(after: attempt) {
                let delay = backoff.delay(attempt: attempt, retryAfter: error.retryAfter)
                Counter(label: "intacct_retries_total", dimensions: [("reason", error.retryReason)]).increment()
                logger.warning("retrying Intacct request", metadata: AuditRecord.logMetadata(AuditRecord.members(for: error)).merging([
                    "control_id": "\(request.controlID)", "functions": "\(functions)",
                    "attempt": "\(attempt + 1)", "delay": "\(delay)", "reason": "\(error.retryReason)",
                ]) { $1 })
                attempt += 1
                try await clock.sleep(for: delay)
            }
        }
    }

    /// One GET of `url`, outside the throttle: it calls no function, so Intacct neither counts it as an
    /// API request nor asks for credentials. Any answer below 500 means the gateway is there.
    public func probe(_ url: String, timeout: Duration) async -> IntacctError? {
        do {
            let http = try await httpClient.send(HTTPRequest(method: "GET", url: url, headers: [], body: Data(), timeout: timeout))
            guard http.status >= 500 else { return nil }
            return .serverError(status: http.status, retryAfter: http.retryAfter, detail: Self.snippet(http.body))
        } catch let error as HTTPClientError {
            return .transport(error)
        } catch {
            // HTTPClient throws nothing else; a cancelled probe is the only way here.
            return .transport(.cancelled(url: url))
        }
    }

    private func exchange(body: Data, url: String) async throws -> HTTPResponse {
        let request = HTTPRequest(
            method: "POST",
            url: url,
            headers: [("Content-Type", "application/xml"), ("Accept", "application/xml")],
            body: body,
            timeout: timeout
        )
        try await throttle.acquire()
        let outcome: Result<HTTPResponse, Error>
        do {
            outcome = .success(try await httpClient.send(request))
        } catch {
            outcome = .failure(error)
        }
        await throttle.release()
        do {
            return try outcome.get()
        } catch let error as HTTPClientError {
            throw IntacctError.transport(error)
        }
    }

    /// Classifies one HTTP answer. Returns the parsed envelope when the gateway ran the request (even
    /// if authentication or a function failed); throws for everything else.
    public static func interpret(_ http: HTTPResponse, reader: IntacctResponseReader = IntacctResponseReader()) throws -> IntacctResponse {
        let kind = BodyKind(http.body)
        if kind == .html {
            let summary = htmlSummary(http.body)
            // A load balancer's plain 5xx page is a server error; Cloudflare's page (or HTML where XML
            // belongs on any other status) is the gateway's own failure mode and is reported as such.
            if http.status >= 500, !summary.hasPrefix(cloudflareMarker) {
                throw IntacctError.serverError(status: http.status, retryAfter: http.retryAfter, detail: summary)
            }
            throw IntacctError.htmlErrorPage(status: http.status, detail: summary)
        }
        if http.status == 429 {
            let errors = kind == .xml ? ((try? reader.read(http.body))?.control.errors ?? []) : []
            throw IntacctError.rateLimited(retryAfter: http.retryAfter, errors: errors)
        }
        if http.status >= 500 {
            throw IntacctError.serverError(status: http.status, retryAfter: http.retryAfter, detail: snippet(http.body))
        }
        if http.status >= 400 {
            // Intacct reports some gateway refusals (XMLGW_JPP0002 on 401, GW-0011 on 400) as XML on a 4xx.
            guard kind == .xml, let response = try? reader.read(http.body), response.control.status == "failure" else {
                throw IntacctError.httpStatus(status: http.status, detail: snippet(http.body))
            }
            throw controlError(response, http: http)
        }
        let response: IntacctResponse
        do {
            response = try reader.read(http.body)
        } catch let error as XMLStreamError {
            throw IntacctError.malformedResponse(status: http.status, detail: error.description)
        }
        if response.control.status != "success" { throw controlError(response, http: http) }
        if response.authentication == nil {
            throw IntacctError.malformedResponse(status: http.status, detail: "control succeeded but the response has no operation/authentication")
        }
        return response
    }

    private static func controlError(_ response: IntacctResponse, http: HTTPResponse) -> IntacctError {
        let errors = response.control.errors
        // GW-0010 is the gateway's rate limit, whatever the HTTP status it rode on.
        if errors.contains(where: { $0.errorNumber == "GW-0010" }) {
            return .rateLimited(retryAfter: http.retryAfter, errors: errors)
        }
        return .controlFailed(controlID: response.control.controlID.isEmpty ? nil : response.control.controlID, errors: errors)
    }

    private enum BodyKind {
        case xml, html, other

        init(_ body: Data) {
            let prefix = body.prefix(512)
            let start = prefix.firstIndex(where: { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || $0 == 0xEF || $0 == 0xBB || $0 == 0xBF) }) ?? prefix.endIndex
            let head = String(decoding: prefix[start...], as: UTF8.self).lowercased()
            if head.hasPrefix("<?xml") || head.hasPrefix("<response") {
                self = .xml
            } else if head.hasPrefix("<!doctype html") || head.hasPrefix("<html") || head.hasPrefix("<head") || head.hasPrefix("<body")
                || body.range(of: Data("cf-error-details".utf8)) != nil {
                self = .html
            } else {
                self = .other
            }
        }
    }

    private static let cloudflareMarker = "Cloudflare error page"

    private static func htmlSummary(_ body: Data) -> String {
        let text = String(decoding: body.prefix(16 * 1024), as: UTF8.self)
        var parts: [String] = []
        if text.contains("cf-error-details") { parts.append(cloudflareMarker) }
        if let open = text.range(of: "<title>", options: .caseInsensitive),
           let close = text.range(of: "</title>", options: .caseInsensitive, range: open.upperBound..<text.endIndex) {
            parts.append(text[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return parts.joined(separator: ": ")
    }

    private static func snippet(_ body: Data) -> String {
        let text = String(decoding: body.prefix(200), as: UTF8.self)
            .components(separatedBy: .newlines).joined(separator: " ")
            .trimmingCharacters(in: .whitespaces)
        return body.count > 200 ? text + "…" : text
    }
}
