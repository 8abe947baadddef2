import Foundation

/// Settings shared by every request one client sends.
public struct HTTPClientConfiguration: Sendable {
    /// Verify the server certificate and host name. Only tests against self-signed servers turn it off.
    public var verifyTLS: Bool = true
    /// A PEM bundle to trust instead of the system's.
    public var caFile: String?
    public var connectTimeout: Duration = .seconds(10)
    /// Upper bound on parallel connections to one host; requests beyond it queue inside libcurl.
    public var maxConnectionsPerHost: Int = 8
    public var userAgent: String = "intacct-bigquery/1.0"
    /// A response body larger than this fails the request instead of exhausting memory.
    public var maxResponseBytes: Int = 1 << 30

    public init() {}
}

/// An async HTTP client over libcurl. All requests of one client share a connection pool
/// (keep-alive, HTTP/2 multiplexing where offered, TLS session reuse); transparent gzip/deflate.
///
/// Create one per process (or per remote service) and keep it: connections are the point.
public final class HTTPClient: Sendable {
    private let loop: CurlTransferLoop

    public init(configuration: HTTPClientConfiguration = HTTPClientConfiguration()) {
        loop = CurlTransferLoop(configuration: configuration)
    }

    deinit { loop.shutdown() }

    /// Sends the request and returns whatever status the server answered. Throws `HTTPClientError`
    /// only when no complete response arrived.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let transfer = try CurlTransfer(request: request, configuration: loop.configuration)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                transfer.continuation = continuation
                loop.submit(transfer)
            }
        } onCancel: {
            loop.cancel(transfer)
        }
    }
}
