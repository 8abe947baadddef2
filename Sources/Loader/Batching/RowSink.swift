/// Where a batch's rows go: one table, one call. The worker's exactly-once protocol sits around it
/// (docs/loader.md, "Exactly once"), so a sink only has to keep its own promise:
///
/// - returning means every row not handed back as a dead letter is durably in `table`;
/// - throwing means nothing is promised: the worker keeps the batch, and before it writes the batch
///   again it asks BigQuery which of its offsets already landed (`LoadedOffsets`), so a sink that
///   wrote part of a batch before failing (insertAll) doubles nothing either;
/// - rows that can never be written (BigQuery calls them invalid) come back as dead letters naming
///   BigQuery's reason; a sink never retries them forever and never drops them silently.
///
/// `TableWriter` (insertAll) is one implementation; `StorageWriteRowSink` (the Storage Write API) is
/// the other. A row carries everything either needs: its Kafka coordinates and key, the envelope bytes
/// as received (`PendingRow.original`, so a sink can encode protobuf straight from them) and, for
/// insertAll, the rendered JSON row.
public protocol RowSink: Sendable {
    /// Writes `rows` (all of one table, in consumption order) and returns the ones set aside as dead letters.
    ///
    /// `beforeWrite` is called right before the rows become visible where the API has such a moment
    /// (the Storage Write API's first append); when it throws, nothing is written and the error is
    /// thrown. The worker uses it to refuse writing rows of partitions it no longer owns. insertAll has
    /// no such moment and never calls it.
    func write(_ rows: [PendingRow], table: String, beforeWrite: @escaping @Sendable () async throws -> Void) async throws -> [DeadLetter]
}

extension RowSink {
    /// Writes with no check before the rows become visible.
    public func write(_ rows: [PendingRow], table: String) async throws -> [DeadLetter] {
        try await write(rows, table: table, beforeWrite: {})
    }
}
