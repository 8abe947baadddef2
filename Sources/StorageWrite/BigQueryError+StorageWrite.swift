import Loader

extension BigQueryError {
    /// A failed Write API call as the worker's outage handling, `/readyz` and the audit topic know
    /// BigQuery failures: the gRPC code's name is the reason, the call and its stream or table the
    /// operation. UNAUTHENTICATED (after the client's one refresh) and NOT_FOUND (after the table was
    /// prepared again) count as retryable here: the worker waits them out like any outage.
    public init(_ error: StorageWriteError) {
        let kind: Kind = switch error.code {
        case 4, 14: .transport
        case 16: .authentication
        default: .http
        }
        self.init(kind: kind, operation: [error.operation, error.stream ?? error.table].compactMap { $0 }.joined(separator: " "),
                  reason: error.codeName, message: error.description, isRetryable: error.isRetryable || error.code == 5 || error.code == 16)
    }
}
