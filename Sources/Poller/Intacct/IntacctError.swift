import Foundation
import HTTP

/// Everything that can go wrong talking to the Intacct gateway, typed so that logs, metrics and the
/// audit topic are built from fields rather than string matching.
///
/// The three application levels mirror the protocol: a control failure means nothing ran, an
/// authentication failure means no function ran, a result failure affects that one function only.
public enum IntacctError: Error, Sendable, CustomStringConvertible {
    /// `control/status = failure`: bad sender credentials, unparsable request, gateway refusal.
    case controlFailed(controlID: String?, errors: [IntacctErrorDetail])
    /// `operation/authentication/status = failure`: bad user credentials or an invalid/expired session.
    case authenticationFailed(controlID: String?, errors: [IntacctErrorDetail])
    /// `result/status = failure | aborted` for one function.
    case resultFailed(status: String, function: String, controlID: String, object: String?, errors: [IntacctErrorDetail])
    /// A `readMore` cursor was refused part-way through a readByQuery; rows already delivered stand, the
    /// caller must restart the query (a result id is tied to its session and does not live long).
    case readMoreRejected(object: String, resultID: String, errors: [IntacctErrorDetail])
    /// HTTP 429 or GW-0010: the company's concurrency or rate limit was hit.
    case rateLimited(retryAfter: Duration?, errors: [IntacctErrorDetail])
    /// HTTP 5xx (including Cloudflare's 524, which we retry because every read here is idempotent).
    case serverError(status: Int, retryAfter: Duration?, detail: String)
    /// An HTML page (Cloudflare's `cf-error-details` or any HTML document) where XML was expected.
    case htmlErrorPage(status: Int, detail: String)
    /// HTTP 4xx without an Intacct XML body.
    case httpStatus(status: Int, detail: String)
    /// A body that is not a well-formed Intacct response (truncated, not XML, missing parts).
    case malformedResponse(status: Int, detail: String)
    /// No HTTP response at all.
    case transport(HTTPClientError)
    /// The request could not be built (e.g. an `in` filter without values).
    case invalidRequest(String)

    /// Whether the same request may succeed if sent again later. Application errors are not retried:
    /// they describe the request or the data, and sending it again only burns API transactions.
    public var isRetryable: Bool {
        switch self {
        case .rateLimited, .serverError, .htmlErrorPage: true
        // Truncated bodies come from connections dropped mid-transfer; every call here is a read.
        case .malformedResponse: true
        case let .transport(error): error.isRetryable
        case .controlFailed, .authenticationFailed, .resultFailed, .readMoreRejected, .httpStatus, .invalidRequest: false
        }
    }

    /// A short label for metrics (`intacct_retries_total{reason=…}`).
    public var retryReason: String {
        switch self {
        case .rateLimited: "rate_limited"
        case let .serverError(status, _, _): "http_\(status)"
        case .htmlErrorPage: "html_error_page"
        case .malformedResponse: "malformed_response"
        case .transport: "transport"
        default: "other"
        }
    }

    /// The server's `Retry-After`, when it sent one.
    public var retryAfter: Duration? {
        switch self {
        case let .rateLimited(retryAfter, _): retryAfter
        case let .serverError(_, retryAfter, _): retryAfter
        default: nil
        }
    }

    /// The Intacct error blocks carried, if any.
    public var details: [IntacctErrorDetail] {
        switch self {
        case let .controlFailed(_, errors), let .authenticationFailed(_, errors), let .rateLimited(_, errors): errors
        case let .resultFailed(_, _, _, _, errors), let .readMoreRejected(_, _, errors): errors
        default: []
        }
    }

    /// One line for an operator: what failed, where, and Intacct's own words.
    public var description: String {
        func joined(_ errors: [IntacctErrorDetail]) -> String {
            errors.isEmpty ? "no error details" : errors.map(\.description).joined(separator: "; ")
        }
        switch self {
        case let .controlFailed(controlID, errors):
            return "Intacct control failure\(controlID.map { " (control id \($0))" } ?? ""): \(joined(errors))"
        case let .authenticationFailed(controlID, errors):
            return "Intacct authentication failure\(controlID.map { " (control id \($0))" } ?? ""): \(joined(errors))"
        case let .resultFailed(status, function, controlID, object, errors):
            return "Intacct \(function)\(object.map { " on \($0)" } ?? "") \(status) (control id \(controlID)): \(joined(errors))"
        case let .readMoreRejected(object, resultID, errors):
            return "Intacct readMore on \(object) rejected result id \(resultID): \(joined(errors))"
        case let .rateLimited(retryAfter, errors):
            return "Intacct rate limit hit\(retryAfter.map { ", retry after \($0)" } ?? "")\(errors.isEmpty ? "" : ": " + joined(errors))"
        case let .serverError(status, _, detail):
            return "Intacct gateway HTTP \(status)\(detail.isEmpty ? "" : ": " + detail)"
        case let .htmlErrorPage(status, detail):
            return "Intacct gateway answered HTTP \(status) with an HTML page\(detail.isEmpty ? "" : ": " + detail)"
        case let .httpStatus(status, detail):
            return "Intacct gateway HTTP \(status)\(detail.isEmpty ? "" : ": " + detail)"
        case let .malformedResponse(status, detail):
            return "malformed Intacct response (HTTP \(status)): \(detail)"
        case let .transport(error):
            return "Intacct transport error: \(error)"
        case let .invalidRequest(detail):
            return "invalid Intacct request: \(detail)"
        }
    }
}
