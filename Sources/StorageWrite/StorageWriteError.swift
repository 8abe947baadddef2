/// A Storage Write API call that failed: the gRPC status (code and message), the call, the stream or
/// table it was about, and the per-row and per-stream errors BigQuery gave, so a log line, an audit
/// row or a dead letter can carry the Write API's own reason.
public struct StorageWriteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// gRPC status code (`google.rpc.Code`): 3 INVALID_ARGUMENT, 5 NOT_FOUND, 6 ALREADY_EXISTS,
    /// 11 OUT_OF_RANGE, 14 UNAVAILABLE, 16 UNAUTHENTICATED…
    public var code: Int
    public var message: String
    /// The RPC: `CreateWriteStream`, `AppendRows`, `GetWriteStream`, `FinalizeWriteStream`, `BatchCommitWriteStreams`.
    public var operation: String
    /// `projects/…/streams/…` when the call was about one stream.
    public var stream: String?
    /// `projects/…/tables/…` when the call was about a table.
    public var table: String?
    public var rowErrors: [StorageWriteRowError]
    /// BatchCommitWriteStreams' `stream_errors`: why nothing was committed.
    public var streamErrors: [StreamError]

    /// One `StorageError` of a commit: its code (`StorageErrorCode`), the stream it names, and the text.
    public struct StreamError: Sendable, Equatable, CustomStringConvertible {
        public var code: Int
        public var entity: String
        public var message: String

        public init(code: Int, entity: String, message: String) {
            self.code = code
            self.entity = entity
            self.message = message
        }

        public var description: String { "\(entity): storage error \(code): \(message)" }
    }

    public init(code: Int, message: String, operation: String, stream: String? = nil, table: String? = nil,
                rowErrors: [StorageWriteRowError] = [], streamErrors: [StreamError] = []) {
        self.code = code
        self.message = message
        self.operation = operation
        self.stream = stream
        self.table = table
        self.rowErrors = rowErrors
        self.streamErrors = streamErrors
    }

    /// The gRPC name of `code`.
    public var codeName: String {
        switch code {
        case 0: "OK"
        case 1: "CANCELLED"
        case 2: "UNKNOWN"
        case 3: "INVALID_ARGUMENT"
        case 4: "DEADLINE_EXCEEDED"
        case 5: "NOT_FOUND"
        case 6: "ALREADY_EXISTS"
        case 7: "PERMISSION_DENIED"
        case 8: "RESOURCE_EXHAUSTED"
        case 9: "FAILED_PRECONDITION"
        case 10: "ABORTED"
        case 11: "OUT_OF_RANGE"
        case 12: "UNIMPLEMENTED"
        case 13: "INTERNAL"
        case 14: "UNAVAILABLE"
        case 15: "DATA_LOSS"
        case 16: "UNAUTHENTICATED"
        default: "CODE_\(code)"
        }
    }

    /// Worth retrying the same call later: the service or the connection was down or busy. Everything
    /// else (bad rows, unknown table, a finalized stream, refused credentials) needs a different call.
    public var isRetryable: Bool {
        switch code {
        case 4, 8, 10, 13, 14: true
        default: false
        }
    }

    public var description: String {
        var text = "\(operation) failed: \(codeName) (\(code)): \(message)"
        if let stream { text += " [stream \(stream)]" } else if let table { text += " [table \(table)]" }
        if !rowErrors.isEmpty { text += "; row errors: " + rowErrors.prefix(5).map(\.description).joined(separator: "; ") }
        if !streamErrors.isEmpty { text += "; stream errors: " + streamErrors.map(\.description).joined(separator: "; ") }
        return text
    }
}
