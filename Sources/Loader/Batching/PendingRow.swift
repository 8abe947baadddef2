import Kafka
import Foundation

/// One row waiting for its table's next insertAll: the rendered row, where it came from, and the
/// original message value, kept so a row BigQuery rejects can be dead-lettered with its envelope.
public struct PendingRow: Sendable {
    public var row: InsertAllRow
    public var source: KafkaCoordinates
    /// The Kafka key (`<company>/<entity>/<OBJECT>/<RECORDNO>`).
    public var recordKey: String
    /// The Kafka value as received (`nil` for a tombstone).
    public var original: Data?

    public init(row: InsertAllRow, source: KafkaCoordinates, recordKey: String = "", original: Data? = nil) {
        self.row = row
        self.source = source
        self.recordKey = recordKey
        self.original = original
    }
}
