import Kafka
import Foundation
import RecordContract

/// One row waiting for its table's next write: where it came from, the original message value — what a
/// row BigQuery rejects is dead-lettered with — and what the row is written from: the rendered insertAll
/// row on that path, the envelope the router decoded on the Storage Write path.
public struct PendingRow: Sendable {
    /// The insertAll row; `nil` on the Storage Write path, which encodes from `envelope` and never renders JSON.
    public var row: InsertAllRow?
    public var source: KafkaCoordinates
    /// The Kafka key (`<company>/<entity>/<OBJECT>/<RECORDNO>`).
    public var recordKey: String
    /// The Kafka value as received (`nil` for a tombstone).
    public var original: Data?
    /// The envelope `original` holds, as the router decoded and hash-checked it. Carried so the Storage
    /// Write sink encodes from it instead of reading the bytes (and hashing the fields) a second time;
    /// `nil` for tombstones, audit rows, and rows built without a router (the sink decodes `original` then).
    public var envelope: RecordEnvelope? {
        get { decoded?.envelope }
        set { decoded = newValue.map(Decoded.init) }
    }
    /// Behind one reference: a row is copied several times between router and sink, and an envelope
    /// inline would add a retain and a release per string it holds to every copy.
    private var decoded: Decoded?

    private final class Decoded: Sendable {
        let envelope: RecordEnvelope
        init(_ envelope: RecordEnvelope) { self.envelope = envelope }
    }
    /// For a tombstone: when the delete was observed (the `_source_modified_at` of the delete row).
    public var deletedAt: String?
    /// The envelope's `content_sha256` (the row's `_content_sha256`); nil for tombstones and audit rows.
    public var contentSHA256: String?

    public init(row: InsertAllRow?, source: KafkaCoordinates, recordKey: String = "", original: Data? = nil, envelope: RecordEnvelope? = nil,
                deletedAt: String? = nil, contentSHA256: String? = nil) {
        self.deletedAt = deletedAt
        self.contentSHA256 = contentSHA256
        self.row = row
        self.source = source
        self.recordKey = recordKey
        self.original = original
        decoded = envelope.map(Decoded.init)
    }
}
