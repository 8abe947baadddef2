import Cryptography
import RecordContract

/// BigQuery's `insertId` for one record version: hex SHA-256 of `key|whenmodified|content_sha256`.
///
/// Derived from the record, never from Kafka coordinates, so the same version gets the same id on a
/// retry, after a rebalance and after a replay that re-produced the topic (the Kafka Connect sink's ids
/// from topic/partition/offset change on re-production and let duplicates through).
public enum InsertID {
    public static func forVersion(key: String, whenModified: String, contentSHA256: String) -> String {
        // Built by hand: once per row, and `SHA256.hex(String)` goes through `Data`.
        var input: [UInt8] = []
        input.reserveCapacity(key.utf8.count + whenModified.utf8.count + contentSHA256.utf8.count + 2)
        input.append(contentsOf: key.utf8)
        input.append(UInt8(ascii: "|"))
        input.append(contentsOf: whenModified.utf8)
        input.append(UInt8(ascii: "|"))
        input.append(contentsOf: contentSHA256.utf8)
        return SHA256.hex(input)
    }

    public static func forVersion(of envelope: RecordEnvelope) -> String {
        forVersion(key: envelope.key.description, whenModified: envelope.whenModified, contentSHA256: envelope.contentSHA256)
    }

    /// A delete is a version too: it is identified by when it was observed.
    public static func forTombstone(key: String, deletedAt: String) -> String {
        forVersion(key: key, whenModified: deletedAt, contentSHA256: "deleted")
    }
}
