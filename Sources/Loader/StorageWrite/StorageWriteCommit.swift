import Foundation

/// What `StorageWriteSink.write` put into the table: every row of the batch except `rejected`, committed
/// at once.
public struct StorageWriteCommit: Sendable, Equatable {
    /// The PENDING stream that carried the batch; `nil` when no row was left to commit.
    public var stream: String?
    public var committedRows: Int
    /// Rows the Write API refused, by index into the batch, with BigQuery's reason (for the dead letter).
    public var rejected: [StorageWriteRowError]
    public var commitTime: Date?

    public init(stream: String?, committedRows: Int, rejected: [StorageWriteRowError], commitTime: Date?) {
        self.stream = stream
        self.committedRows = committedRows
        self.rejected = rejected
        self.commitTime = commitTime
    }
}
