import Kafka
import Foundation

/// One row waiting for its table's next write: where it came from, the original message value — the
/// envelope bytes a Storage Write sink encodes from, and what a row BigQuery rejects is dead-lettered
/// with — and, for the insertAll sink only, the rendered insertAll row.
public struct PendingRow: Sendable {
    /// The insertAll row; `nil` on the Storage Write path, which encodes from `original` and never renders JSON.
    public var row: InsertAllRow?
    public var source: KafkaCoordinates
    /// The Kafka key (`<company>/<entity>/<OBJECT>/<RECORDNO>`).
    public var recordKey: String
    /// The Kafka value as received (`nil` for a tombstone).
    public var original: Data?
    /// For a tombstone: when the delete was observed (the `_source_modified_at` of the delete row).
    public var deletedAt: String?
    /// The envelope's `content_sha256` (the row's `_content_sha256`); nil for tombstones and audit rows.
    public var contentSHA256: String?

    public init(row: InsertAllRow?, source: KafkaCoordinates, recordKey: String = "", original: Data? = nil, deletedAt: String? = nil,
                contentSHA256: String? = nil) {
        self.deletedAt = deletedAt
        self.contentSHA256 = contentSHA256
        self.row = row
        self.source = source
        self.recordKey = recordKey
        self.original = original
    }
}
