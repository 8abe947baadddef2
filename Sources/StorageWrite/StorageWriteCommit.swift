import Foundation

/// What `StorageWriteSink.write` put into the table: every row of the batch except `rejected`, appended
/// to a COMMITTED stream and so visible.
public struct StorageWriteCommit: Sendable, Equatable {
    /// The COMMITTED stream that carried the batch; `nil` when the batch was empty.
    public var stream: String?
    public var committedRows: Int
    /// Rows the Write API refused, by index into the batch, with BigQuery's reason (for the dead letter).
    public var rejected: [StorageWriteRowError]

    public init(stream: String?, committedRows: Int, rejected: [StorageWriteRowError]) {
        self.stream = stream
        self.committedRows = committedRows
        self.rejected = rejected
    }
}
