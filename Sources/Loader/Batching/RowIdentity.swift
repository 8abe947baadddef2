/// Which record version a row is, as the exactly-once check compares it with what BigQuery holds at the
/// same offset: the Kafka key and the envelope's content hash (nil for tombstones and audit rows). A
/// fingerprint that lives only inside one process (Swift's seeded `Hasher`), so it is never stored.
public enum RowIdentity {
    public static func fingerprint(key: String, contentSHA256: String?) -> Int {
        var hasher = Hasher()
        hasher.combine(key)
        hasher.combine(contentSHA256)
        return hasher.finalize()
    }

    public static func fingerprint(of row: PendingRow) -> Int {
        fingerprint(key: row.recordKey, contentSHA256: row.contentSHA256)
    }
}
