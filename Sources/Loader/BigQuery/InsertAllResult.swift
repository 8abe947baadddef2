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
