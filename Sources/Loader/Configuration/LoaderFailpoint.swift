/// Test-only crash points (`loader.failpoint`, or `IBQ_LOADER_FAILPOINT`), off by default. They exist so
/// tests can prove the exactly-once protocol across the one crash that matters most; never set one in
/// production.
public enum LoaderFailpoint: String, Decodable, Sendable, Equatable, CaseIterable {
    /// SIGKILL the process after a batch is committed in BigQuery (and its dead letters acknowledged),
    /// before its Kafka offsets are marked or committed.
    case killAfterBigQueryCommit = "kill_after_bigquery_commit"

    /// The environment variable that sets a failpoint when the file does not.
    public static let environmentVariable = "IBQ_LOADER_FAILPOINT"
}
