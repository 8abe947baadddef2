import Kafka
import Foundation
import RecordContract

/// One row waiting for its table's next write: where it came from, the original message value — what a
/// row BigQuery rejects is dead-lettered with — and what the row is written as: the rendered insertAll
/// row on that path, the protobuf row the router encoded on the Storage Write path.
public struct PendingRow: Sendable {
    /// The insertAll row; `nil` on the Storage Write path, which never renders JSON.
    public var row: InsertAllRow?
    public var source: KafkaCoordinates
    /// The Kafka key (`<company>/<entity>/<OBJECT>/<RECORDNO>`).
    public var recordKey: String
    /// The Kafka value as received (`nil` for a tombstone).
    public var original: Data?
    /// The Storage Write row, encoded by the router (in its parallel lanes) for the mapping it names.
    /// Holding these bytes rather than the decoded envelope keeps a buffered row about the size of its
    /// message. `nil` for audit rows and rows built without a router: the sink encodes those from
    /// `original` (or the tombstone's key), as it does a row encoded for a mapping since widened.
    public var encoded: ProtoRowEncoder.EncodedRow?
    /// For a tombstone: when the delete was observed (the `_source_modified_at` of the delete row).
    public var deletedAt: String?
    /// The envelope's `content_sha256` (the row's `_content_sha256`); nil for tombstones and audit rows.
    public var contentSHA256: String?

    public init(row: InsertAllRow?, source: KafkaCoordinates, recordKey: String = "", original: Data? = nil,
                encoded: ProtoRowEncoder.EncodedRow? = nil, deletedAt: String? = nil, contentSHA256: String? = nil) {
        self.deletedAt = deletedAt
        self.contentSHA256 = contentSHA256
        self.row = row
        self.source = source
        self.recordKey = recordKey
        self.original = original
        self.encoded = encoded
    }
}
