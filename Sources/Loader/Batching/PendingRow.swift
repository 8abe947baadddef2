import Kafka
import Foundation
import RecordContract

/// One row waiting for its table's next write: where it came from, the original message value — what a
/// row BigQuery rejects is dead-lettered with — and what the row is written as: the rendered insertAll
/// row on that path, the protobuf row the router encoded on the Storage Write path.
public struct PendingRow: Sendable {
    /// The insertAll row; `nil` on the Storage Write path, which never renders JSON.
    public var row: InsertAllRow? { storage.row }
    public var source: KafkaCoordinates { storage.source }
    /// The Kafka key (`<company>/<entity>/<OBJECT>/<RECORDNO>`).
    public var recordKey: String { storage.recordKey.string }
    /// The Kafka value as received (`nil` for a tombstone).
    public var original: Data? { storage.original }
    /// The Storage Write row, encoded by the router (in its parallel lanes) for the mapping it names.
    /// Holding these bytes rather than the decoded envelope keeps a buffered row about the size of its
    /// message. `nil` for audit rows and rows built without a router: the sink encodes those from
    /// `original` (or the tombstone's key), as it does a row encoded for a mapping since widened.
    public var encoded: ProtoRowEncoder.EncodedRow? { storage.encoded }
    /// For a tombstone: when the delete was observed (the `_source_modified_at` of the delete row).
    public var deletedAt: String? { storage.deletedAt }
    /// The envelope's `content_sha256` (the row's `_content_sha256`); nil for tombstones and audit rows.
    public var contentSHA256: String? { storage.contentSHA256?.string }

    /// Behind one reference: a row is copied several times between router, batcher and sink (outcomes,
    /// lanes joined, batches), and its fields inline cost a retain and a release each per copy.
    private let storage: Storage

    private final class Storage: Sendable {
        let row: InsertAllRow?
        let source: KafkaCoordinates
        let recordKey: Text
        let original: Data?
        let encoded: ProtoRowEncoder.EncodedRow?
        let deletedAt: String?
        let contentSHA256: Text?

        init(row: InsertAllRow?, source: KafkaCoordinates, recordKey: Text, original: Data?, encoded: ProtoRowEncoder.EncodedRow?,
             deletedAt: String?, contentSHA256: Text?) {
            (self.row, self.source, self.recordKey, self.original) = (row, source, recordKey, original)
            (self.encoded, self.deletedAt, self.contentSHA256) = (encoded, deletedAt, contentSHA256)
        }
    }

    /// Text a row keeps: a `String`, or UTF-8 bytes of the message it came in (its key, a range of its
    /// value), made a `String` only when asked for. The Storage Write path asks only for dead letters and
    /// the exactly-once check after a rewind, so its rows hold no text of their own.
    enum Text: Sendable {
        case string(String)
        case utf8(Data)

        var string: String {
            switch self {
            case let .string(text): text
            case let .utf8(bytes): String(decoding: bytes, as: UTF8.self)
            }
        }
    }

    public init(row: InsertAllRow?, source: KafkaCoordinates, recordKey: String = "", original: Data? = nil,
                encoded: ProtoRowEncoder.EncodedRow? = nil, deletedAt: String? = nil, contentSHA256: String? = nil) {
        storage = Storage(row: row, source: source, recordKey: .string(recordKey), original: original, encoded: encoded, deletedAt: deletedAt,
                          contentSHA256: contentSHA256.map(Text.string))
    }

    /// A record's row on the Storage Write path: its key and content hash left in the message's bytes
    /// (`key`, and `original`'s bytes at `contentSHA256` when the envelope spells the hash plainly).
    init(source: KafkaCoordinates, key: Data, original: Data, encoded: ProtoRowEncoder.EncodedRow, contentSHA256: Text) {
        storage = Storage(row: nil, source: source, recordKey: .utf8(key), original: original, encoded: encoded, deletedAt: nil,
                          contentSHA256: contentSHA256)
    }
}
