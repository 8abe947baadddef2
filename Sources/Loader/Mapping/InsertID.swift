import Shared

/// BigQuery `insertId` for one version of a record: hex SHA-256 of `key|whenmodified|content_sha256`.
/// The same version always gets the same id — on retry, on replay, after re-producing the topic —
/// unlike ids built from Kafka offsets.
public enum InsertID {
    public static func make(key: String, whenModified: String, contentSHA256: String) -> String {
        SHA256.hex("\(key)|\(whenModified)|\(contentSHA256)")
    }

    public static func make(for envelope: RecordEnvelope) -> String {
        make(key: envelope.key.description, whenModified: envelope.whenModified, contentSHA256: envelope.contentSHA256)
    }

    /// A tombstone has no content: its version is the moment the delete was observed.
    public static func make(tombstoneFor key: RecordKey, deletedAt: String) -> String {
        make(key: key.description, whenModified: deletedAt, contentSHA256: "deleted")
    }
}
