/// What BigQuery said about one insertAll request that it accepted as a whole. Rows not listed in
/// `rowErrors` were written. Per-row errors are data, not thrown: the caller dead-letters the permanent
/// ones and retries the rest, instead of rewriting (and duplicating) the whole batch.
public struct InsertAllResult: Sendable {
    public var rowCount: Int
    public var rowErrors: [RowInsertError]

    public init(rowCount: Int, rowErrors: [RowInsertError]) {
        self.rowCount = rowCount
        self.rowErrors = rowErrors
    }

    /// Every row was written.
    public var allWritten: Bool { rowErrors.isEmpty }
    /// Indexes of rows that can never be written as they are (dead-letter them).
    public var permanentFailures: [Int] { rowErrors.filter { !$0.isRetryable }.map(\.index) }
    /// Indexes of rows that were not written only because of another row or a transient fault.
    public var retryableFailures: [Int] { rowErrors.filter(\.isRetryable).map(\.index) }
}

/// One entry of `insertErrors`: the row's index in the request and BigQuery's reasons for it.
public struct RowInsertError: Sendable, Equatable, CustomStringConvertible {
    public struct Detail: Sendable, Equatable {
        public var reason: String
        public var message: String
        public var location: String?

        public init(reason: String, message: String, location: String? = nil) {
            self.reason = reason
            self.message = message
            self.location = location
        }
    }

    public var index: Int
    public var details: [Detail]

    public init(index: Int, details: [Detail]) {
        self.index = index
        self.details = details
    }

    /// The reason that decides the row's fate: `invalid` (or any other non-retryable reason) wins over
    /// `stopped`, because a row that is itself bad stays bad after its neighbours are fixed.
    public var reason: String {
        details.first { !Self.retryableReasons.contains($0.reason) }?.reason ?? details.first?.reason ?? "unknown"
    }

    public var message: String { details.first { $0.reason == reason }?.message ?? "" }
    public var location: String? { details.first { $0.reason == reason }?.location }

    /// `stopped`: not written because another row in the request failed. `timeout`/`backendError`: transient.
    static let retryableReasons: Set<String> = ["stopped", "timeout", "backendError", "internalError"]

    public var isRetryable: Bool { !details.isEmpty && details.allSatisfy { Self.retryableReasons.contains($0.reason) } }

    public var description: String {
        var text = "row \(index): \(reason)"
        if let location, !location.isEmpty { text += " at \(location)" }
        if !message.isEmpty { text += ": \(message)" }
        return text
    }
}
