import Foundation
import Kafka

/// What one insertAll call sends to one table, plus the dead letters of the same partitions that
/// arrived between its rows. Keeping them together means a batch's offsets are committed only when
/// its rows are in BigQuery and its dead letters are acknowledged by the DLQ topic, in arrival order.
public struct LoadBatch: Sendable {
    public let table: String
    public private(set) var rows: [PendingRow] = []
    public private(set) var deadLetters: [DeadLetter] = []
    /// Approximate request size: row JSON plus insertIds plus per-row envelope overhead.
    public private(set) var estimatedBytes = 0
    /// When the first entry arrived: the linger clock starts then.
    public private(set) var openedAt: ContinuousClock.Instant?
    /// Partitions whose reading (re)starts in this batch, at that offset: before this batch is written,
    /// the worker asks BigQuery which offsets from there on it already holds (`LoadedOffsetCheck`).
    public private(set) var readStarts: [KafkaTopicPartition: Int64] = [:]

    public init(table: String) { self.table = table }

    public var isEmpty: Bool { rows.isEmpty && deadLetters.isEmpty }
    /// Rows and dead letters: what this batch holds in memory.
    public var entryCount: Int { rows.count + deadLetters.count }

    public mutating func append(_ row: PendingRow, at now: ContinuousClock.Instant) {
        if openedAt == nil { openedAt = now }
        rows.append(row)
        estimatedBytes += Self.cost(of: row)
    }

    public mutating func append(_ deadLetter: DeadLetter, at now: ContinuousClock.Instant) {
        if openedAt == nil { openedAt = now }
        deadLetters.append(deadLetter)
    }

    /// Notes that reading `partition` (re)started at `offset`, within this batch or before it.
    public mutating func noteReadStart(_ partition: KafkaTopicPartition, at offset: Int64) {
        readStarts[partition] = min(readStarts[partition] ?? offset, offset)
    }

    /// The same batch, to be checked against BigQuery again before it is written: after a failed
    /// attempt some of its rows may have landed (an insertAll batch is not atomic).
    public func requiringCheck() -> LoadBatch {
        var copy = self
        for row in rows { copy.noteReadStart(row.source.topicPartition, at: row.source.offset) }
        return copy
    }

    /// Drops the entries of partitions this member no longer owns: their next owner reads them again
    /// from the committed offset, and writing them here too would double them.
    public mutating func retain(owned: Set<KafkaTopicPartition>) -> Int {
        // Usually every partition is still owned: then the rows are not even copied (the batch shares
        // them with the one the worker keeps for a retry).
        let anyForeign = commitOffsets.keys.contains { !owned.contains($0) } || readStarts.keys.contains { !owned.contains($0) }
        guard anyForeign else { return 0 }
        let before = entryCount
        rows.removeAll { !owned.contains($0.source.topicPartition) }
        deadLetters.removeAll { !owned.contains($0.source.topicPartition) }
        readStarts = readStarts.filter { owned.contains($0.key) }
        return before - entryCount
    }

    /// Drops the entries of `partition` at or above `offset`: reading rewound there, so they arrive again.
    public mutating func discard(_ partition: KafkaTopicPartition, from offset: Int64) -> Int {
        let before = entryCount
        rows.removeAll { $0.source.topicPartition == partition && $0.source.offset >= offset }
        deadLetters.removeAll { $0.source.topicPartition == partition && $0.source.offset >= offset }
        if let start = readStarts[partition], start >= offset { readStarts[partition] = nil }
        estimatedBytes = rows.reduce(0) { $0 + Self.cost(of: $1) }
        return before - entryCount
    }

    /// Drops rows BigQuery already holds; returns how many.
    public mutating func removeRows(where isLoaded: (PendingRow) -> Bool) -> Int {
        let before = rows.count
        rows.removeAll(where: isLoaded)
        return before - rows.count
    }

    /// The next offset to commit per partition once every entry of this batch is done.
    public var commitOffsets: [KafkaTopicPartition: Int64] {
        var next: [KafkaTopicPartition: Int64] = [:]
        Self.noteNextOffsets(of: rows.lazy.map(\.source), in: &next)
        Self.noteNextOffsets(of: deadLetters.lazy.map(\.source), in: &next)
        return next
    }

    /// The partitions this batch has rows of.
    public var rowPartitions: Set<KafkaTopicPartition> {
        var next: [KafkaTopicPartition: Int64] = [:]
        Self.noteNextOffsets(of: rows.lazy.map(\.source), in: &next)
        return Set(next.keys)
    }

    /// Raises `next` to one past the highest offset of `sources` per partition. A poll hands entries over
    /// in runs of one partition, so a partition is looked up once per run, not hashed once per entry.
    private static func noteNextOffsets(of sources: some Sequence<KafkaCoordinates>, in next: inout [KafkaTopicPartition: Int64]) {
        var run: KafkaCoordinates?
        func settle() {
            guard let run else { return }
            next[run.topicPartition] = max(next[run.topicPartition] ?? 0, run.offset + 1)
        }
        for source in sources {
            if let current = run, current.partition == source.partition, current.topic == source.topic {
                if source.offset > current.offset { run = source }
            } else {
                settle()
                run = source
            }
        }
        settle()
    }

    static func cost(of row: PendingRow) -> Int {
        // Without the JSON row (Storage Write path) the envelope bytes bound the protobuf row from above.
        guard let rendered = row.row else { return (row.original?.count ?? row.recordKey.utf8.count + 64) + 32 }
        return rendered.json.count + rendered.insertID.utf8.count + 32
    }
}
