import Foundation

/// Where a row came from in Kafka: what gets committed once BigQuery has the row.
public struct KafkaCoordinates: Hashable, Sendable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64

    public init(topic: String, partition: Int32, offset: Int64) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
    }
}

/// One row ready for `insertAll`: its JSON object, its insertId and its source message.
public struct PendingRow: Sendable {
    public var insertID: String
    public var json: Data
    public var source: KafkaCoordinates

    public init(insertID: String, json: Data, source: KafkaCoordinates) {
        self.insertID = insertID
        self.json = json
        self.source = source
    }
}

/// Rows bound for one table, kept in arrival order. A batch is what one `insertAll` call sends.
public struct LoadBatch: Sendable {
    public let table: String
    public private(set) var rows: [PendingRow] = []
    /// Approximate request size: row JSON plus insertIds plus per-row envelope overhead.
    public private(set) var estimatedBytes = 0
    /// When the first row arrived: the linger clock starts then.
    public private(set) var openedAt: ContinuousClock.Instant?

    public init(table: String) { self.table = table }

    public var isEmpty: Bool { rows.isEmpty }

    public mutating func append(_ row: PendingRow, at now: ContinuousClock.Instant = .now) {
        if openedAt == nil { openedAt = now }
        rows.append(row)
        estimatedBytes += Self.cost(of: row)
    }

    /// The next offset to commit per partition once every row of this batch is in BigQuery.
    public var commitOffsets: [KafkaPartitionKey: Int64] {
        var next: [KafkaPartitionKey: Int64] = [:]
        for row in rows {
            let key = KafkaPartitionKey(topic: row.source.topic, partition: row.source.partition)
            next[key] = max(next[key] ?? 0, row.source.offset + 1)
        }
        return next
    }

    static func cost(of row: PendingRow) -> Int { row.json.count + row.insertID.utf8.count + 32 }
}

/// A topic partition, as a dictionary key.
public struct KafkaPartitionKey: Hashable, Sendable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32

    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public var description: String { "\(topic)[\(partition)]" }
}
