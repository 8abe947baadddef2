/// When a table's batch goes to BigQuery: at `maxRows` rows, at `maxBytes`, or `linger` after its first
/// row, whichever comes first. The defaults keep well inside insertAll's 10 MB request limit and Google's
/// 500-rows-per-request advice.
public struct BatchPolicy: Sendable, Equatable {
    public var maxRows: Int
    public var maxBytes: Int
    public var linger: Duration

    public init(maxRows: Int = 500, maxBytes: Int = 9 * 1024 * 1024, linger: Duration = .seconds(1)) {
        self.maxRows = maxRows
        self.maxBytes = maxBytes
        self.linger = linger
    }

    /// Whether `batch` must be sent before `next` can join it.
    public func isFull(_ batch: LoadBatch, adding next: PendingRow) -> Bool {
        !batch.rows.isEmpty && (batch.rows.count + 1 > maxRows || batch.estimatedBytes + LoadBatch.cost(of: next) > maxBytes)
    }

    /// Whether `batch` has waited long enough.
    public func isDue(_ batch: LoadBatch, at now: ContinuousClock.Instant) -> Bool {
        guard let openedAt = batch.openedAt else { return false }
        return batch.rows.count >= maxRows || batch.estimatedBytes >= maxBytes || now - openedAt >= linger
    }
}
