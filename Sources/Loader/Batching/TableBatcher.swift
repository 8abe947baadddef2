import Kafka

/// The rows a worker holds, per table: one open batch filling up and, behind it, full batches waiting
/// to be sent (or put back after a failed attempt). Batches of one table leave in arrival order, which
/// is what makes committing a batch's highest offsets safe.
public struct TableBatcher: Sendable {
    public let policy: BatchPolicy
    private var open: [String: LoadBatch] = [:]
    private var ready: [String: [LoadBatch]] = [:]

    public init(policy: BatchPolicy) { self.policy = policy }

    /// Rows and dead letters held, open and waiting.
    public var bufferedEntries: Int {
        open.values.reduce(0) { $0 + $1.entryCount } + ready.values.joined().reduce(0) { $0 + $1.entryCount }
    }

    public var isEmpty: Bool { open.isEmpty && ready.values.allSatisfy(\.isEmpty) }

    public mutating func add(_ row: PendingRow, table: String, at now: ContinuousClock.Instant) {
        // The open batch is changed where it lies: one look-up per row and no copy of the batch.
        var full: LoadBatch?
        Self.add(row, to: &open[table, default: LoadBatch(table: table)], policy: policy, at: now, full: &full)
        if let full { ready[table, default: []].append(full) }
    }

    private static func add(_ row: PendingRow, to batch: inout LoadBatch, policy: BatchPolicy, at now: ContinuousClock.Instant,
                            full: inout LoadBatch?) {
        if policy.isFull(batch, adding: row) {
            full = batch
            batch = LoadBatch(table: batch.table)
        }
        batch.append(row, at: now)
    }

    public mutating func add(_ deadLetter: DeadLetter, table: String, at now: ContinuousClock.Instant) {
        open[table, default: LoadBatch(table: table)].append(deadLetter, at: now)
    }

    /// Drops every held entry of `partition` at or above `offset` (all of them with `.min`): reading
    /// it rewound or restarted there, so they arrive again and must not be written twice. Only call it
    /// while nothing taken from here is in flight.
    public mutating func discard(_ partition: KafkaTopicPartition, from offset: Int64) -> Int {
        var dropped = 0
        for table in Array(open.keys) {
            dropped += open[table]!.discard(partition, from: offset)
            if open[table]!.isEmpty { open[table] = nil }
        }
        for table in Array(ready.keys) {
            var batches = ready[table]!
            for index in batches.indices { dropped += batches[index].discard(partition, from: offset) }
            ready[table] = batches.filter { !$0.isEmpty }
        }
        return dropped
    }

    /// Notes on `table`'s open batch (the one that just took the entry at `offset`) that reading
    /// `partition` (re)started there.
    public mutating func noteReadStart(_ partition: KafkaTopicPartition, at offset: Int64, table: String) {
        open[table, default: LoadBatch(table: table)].noteReadStart(partition, at: offset)
    }

    /// Takes, per table and in order, the batches that should be sent now: every full one, plus the
    /// open one when its linger time passed (or always, with `force`).
    public mutating func takeDue(at now: ContinuousClock.Instant, force: Bool = false) -> [String: [LoadBatch]] {
        var due = ready.filter { !$0.value.isEmpty }
        ready = [:]
        for (table, batch) in open where force || policy.isDue(batch, at: now) {
            due[table, default: []].append(batch)
            open[table] = nil
        }
        return due
    }

    /// Returns batches that could not be sent, ahead of anything newer of their table.
    public mutating func putBack(_ batches: [LoadBatch], table: String) {
        guard !batches.isEmpty else { return }
        ready[table] = batches + (ready[table] ?? [])
    }

    /// When the oldest open batch becomes due; `nil` when nothing is open.
    public var nextDeadline: ContinuousClock.Instant? {
        open.values.compactMap(\.openedAt).min().map { $0 + policy.linger }
    }
}
