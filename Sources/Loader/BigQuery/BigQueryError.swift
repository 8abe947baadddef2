import Foundation
import HTTP
import Logging

/// Everything that can go wrong talking to BigQuery, typed so the loader decides retry vs dead-letter
/// from `isRetryable`, never from message text. Never carries an access token or key material:
/// messages come from Google's error JSON, from `HTTPClientError` (URLs without credentials) or from
/// this client.
public struct BigQueryError: Error, Sendable, CustomStringConvertible {
    /// Which side failed.
    public enum Kind: String, Sendable {
        /// BigQuery answered with an HTTP error (Google error JSON: reason, message, location).
        case http
        /// No complete HTTP response (DNS, refused, reset, timeout).
        case transport
        /// The token endpoint refused the assertion or could not be reached.
        case authentication
        /// A 2xx answer this client cannot read.
        case invalidResponse
        /// The caller broke a limit before anything was sent (rows per request, bytes per request).
        case requestTooLarge
        /// A query job finished with an error result.
        case queryFailed
        /// A query job was still running when the deadline passed.
        case queryTimedOut
        /// The configuration cannot work (missing project, unreadable credentials).
        case configuration
    }

    public var kind: Kind
    /// What the client was doing, e.g. `tabledata.insertAll demo.ds.apbill`.
    public var operation: String
    /// HTTP status, when there was a response.
    public var status: Int?
    /// Google's machine-readable reason (`notFound`, `quotaExceeded`, `invalid`, `invalid_grant`...).
    public var reason: String?
    public var message: String
    /// Google's `location` (a field or parameter name), when given.
    public var location: String?
    /// Every entry of Google's `errors` list (the first gives `reason` and `location`).
    public var details: [BigQueryErrorDetail]
    /// Rows of an insertAll request that were still not written when the client gave up, by index.
    public var rowErrors: [RowInsertError]
    /// The start of a response body that is not Google's error JSON (an HTML or plain-text 500 from a
    /// proxy or an emulator), so the operator sees what answered.
    public var bodyExcerpt: String?
    /// The server's `Retry-After`, a floor for the next attempt.
    public var retryAfter: Duration?
    /// Set by the client for the cases only context can decide (a 404 right after a table was created
    /// or its schema changed is propagation delay, not a missing table).
    public var isRetryable: Bool

    /// The table, view or dataset does not exist (HTTP 404, or a query job whose error reason says so).
    public var isNotFound: Bool { status == 404 || reason == "notFound" }

    public init(
        kind: Kind, operation: String, status: Int? = nil, reason: String? = nil, message: String,
        location: String? = nil, details: [BigQueryErrorDetail] = [], rowErrors: [RowInsertError] = [],
        bodyExcerpt: String? = nil, retryAfter: Duration? = nil, isRetryable: Bool
    ) {
        self.kind = kind
        self.operation = operation
        self.status = status
        self.reason = reason
        self.message = message
        self.location = location
        self.details = details
        self.rowErrors = rowErrors
        self.bodyExcerpt = bodyExcerpt
        self.retryAfter = retryAfter
        self.isRetryable = isRetryable
    }

    /// Google reasons that mean "slow down and try again" even on a 403.
    static let retryableReasons: Set<String> = [
        "quotaExceeded", "rateLimitExceeded", "backendError", "internalError", "jobBackendError", "jobInternalError",
    ]

    /// Reads Google's error JSON (`{"error":{"code","message","status","errors":[{"reason","message","location"}]}}`)
    /// and classifies it. A body that is not that JSON still gives a typed error: the status decides,
    /// and the body's start is kept as `bodyExcerpt`. `notFoundIsRetryable` comes from the client's
    /// record of recent schema changes.
    static func fromResponse(_ response: HTTPResponse, operation: String, notFoundIsRetryable: Bool = false) -> BigQueryError {
        var reason: String?
        var message = "HTTP \(response.status)"
        var location: String?
        var details: [BigQueryErrorDetail] = []
        var excerpt: String?
        if let google = (try? JSONDecoder().decode(GoogleErrorResponse.self, from: response.body))?.error {
            details = google.errors ?? []
            message = google.message ?? message
            reason = details.first?.reason ?? google.status
            location = details.first?.location
        } else if !response.body.isEmpty {
            message += " with a body that is not Google's error JSON"
            excerpt = String(response.bodyText.prefix(200))
        }
        let retryable: Bool
        switch response.status {
        case 429, 500..<600: retryable = true
        case 403: retryable = reason.map(retryableReasons.contains) ?? false
        case 404: retryable = notFoundIsRetryable
        // A 401 that survives a fresh token is an outage of the auth side (IAM propagation, clock skew on
        // Google's side): back off and keep the batch rather than dropping it.
        case 401: retryable = true
        default: retryable = false
        }
        return BigQueryError(kind: .http, operation: operation, status: response.status, reason: reason, message: message,
                             location: location, details: details, bodyExcerpt: excerpt, retryAfter: response.retryAfter,
                             isRetryable: retryable)
    }

    static func transport(_ error: HTTPClientError, operation: String) -> BigQueryError {
        BigQueryError(kind: .transport, operation: operation, message: error.description, isRetryable: error.isRetryable)
    }

    static func invalidResponse(_ detail: String, operation: String) -> BigQueryError {
        BigQueryError(kind: .invalidResponse, operation: operation, message: detail, isRetryable: false)
    }

    public var description: String {
        var text = "BigQuery \(operation) failed (\(kind.rawValue)"
        if let status { text += ", HTTP \(status)" }
        if let reason { text += ", \(reason)" }
        text += "): \(message)"
        if let location, !location.isEmpty { text += " [at \(location)]" }
        if let bodyExcerpt { text += " — body: \(bodyExcerpt)" }
        if !rowErrors.isEmpty { text += " — \(rowErrors.count) row(s), first \(rowErrors[0])" }
        text += isRetryable ? " — retryable" : " — permanent"
        return text
    }

    /// The error as log metadata, one typed value per key, so a log pipeline can filter on
    /// `bigquery_reason` or `http_status` instead of parsing the message.
    public var logMetadata: Logger.Metadata {
        var metadata: Logger.Metadata = [
            "error_system": "bigquery", "error_kind": "\(kind.rawValue)", "bigquery_operation": "\(operation)",
            "error_message": "\(message)", "retryable": "\(isRetryable)",
        ]
        if let status { metadata["http_status"] = "\(status)" }
        if let reason { metadata["bigquery_reason"] = "\(reason)" }
        if let location { metadata["bigquery_location"] = "\(location)" }
        if let bodyExcerpt { metadata["body_excerpt"] = "\(bodyExcerpt)" }
        if let retryAfter { metadata["retry_after"] = "\(retryAfter)" }
        if let first = rowErrors.first {
            metadata["rows_failed"] = "\(rowErrors.count)"
            metadata["first_row_index"] = "\(first.index)"
            metadata["first_row_reason"] = "\(first.reason)"
        }
        return metadata
    }
}
