/// What became of the rows of one `StorageWriteClient.appendRows` call. The rows may have been split
/// into several AppendRows requests (each under the 10 MB limit), sent one after another; the first
/// request the server did not accept stops the call, so rows `0 ..< appendedRows` are in the stream
/// and none after them.
public struct AppendRowsOutcome: Sendable, Equatable {
    /// How many leading rows the stream accepted.
    public var appendedRows: Int
    /// The offset the stream gave the first row, when the server says (COMMITTED/PENDING streams).
    public var firstOffset: Int64?
    /// Why the call stopped before the end; `nil` when every row was appended.
    public var stop: Stop?

    public init(appendedRows: Int, firstOffset: Int64?, stop: Stop?) {
        self.appendedRows = appendedRows
        self.firstOffset = firstOffset
        self.stop = stop
    }

    /// The request that starts at row `appendedRows` was refused, for one of the reasons the exactly-once
    /// protocol must tell apart.
    public enum Stop: Sendable, Equatable {
        /// ALREADY_EXISTS: the stream already holds rows at this offset — a retried append whose first
        /// attempt landed. For a retry of the same rows at the same offset this is success for the
        /// refused request's `rows` rows (requests are cut the same way on every try).
        case alreadyExists(offset: Int64, rows: Int, message: String)
        /// OUT_OF_RANGE: the offset is past the stream's end; rows before it are missing.
        case outOfRange(offset: Int64, message: String)
        /// The request had rows that do not fit the table; nothing of that request was written. Indexes
        /// are into the caller's rows. Resend without them.
        case rowErrors([StorageWriteRowError])
        /// INVALID_ARGUMENT naming no row: the request of `rows` rows starting at `offset` was refused
        /// whole, nothing of it written, and the server did not say which row is at fault (bqemulator's
        /// answer to a value that does not fit; BigQuery sends row errors). Send fewer rows to find it.
        case invalid(offset: Int64, rows: Int, message: String)
    }

    public var isComplete: Bool { stop == nil }
}
