/// Why an exchange produced no HTTP response at all. HTTP statuses are not errors here: the caller
/// decides what a 404 or a 503 means for its protocol (see `HTTPResponse.isRetryableStatus`).
public enum HTTPClientError: Error, Sendable, CustomStringConvertible {
    /// DNS failure, connection refused or reset: the server may come back.
    case couldNotConnect(url: String, detail: String)
    /// The request's deadline passed before a complete response arrived.
    case timedOut(url: String, after: Duration)
    /// The connection broke while sending or receiving.
    case transferFailed(url: String, detail: String)
    /// TLS verification failed: retrying cannot help, the configuration must change.
    case tlsFailed(url: String, detail: String)
    /// The request itself is unusable (bad URL, unsupported scheme).
    case invalidRequest(url: String, detail: String)
    case cancelled(url: String)

    public var isRetryable: Bool {
        switch self {
        case .couldNotConnect, .timedOut, .transferFailed: true
        case .tlsFailed, .invalidRequest, .cancelled: false
        }
    }

    public var description: String {
        switch self {
        case let .couldNotConnect(url, detail): "could not connect to \(url): \(detail)"
        case let .timedOut(url, after): "no complete response from \(url) within \(after)"
        case let .transferFailed(url, detail): "transfer with \(url) failed: \(detail)"
        case let .tlsFailed(url, detail): "TLS with \(url) failed: \(detail)"
        case let .invalidRequest(url, detail): "invalid request to \(url): \(detail)"
        case let .cancelled(url): "request to \(url) was cancelled"
        }
    }
}
