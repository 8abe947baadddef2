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

    /// The next offset to commit per partition once every entry of this batch is done.
    public var commitOffsets: [KafkaTopicPartition: Int64] {
        var next: [KafkaTopicPartition: Int64] = [:]
        func note(_ source: KafkaCoordinates) {
            next[source.topicPartition] = max(next[source.topicPartition] ?? 0, source.offset + 1)
        }
        for row in rows { note(row.source) }
        for letter in deadLetters { note(letter.source) }
        return next
    }

    static func cost(of row: PendingRow) -> Int { row.row.json.count + row.row.insertID.utf8.count + 32 }
}
