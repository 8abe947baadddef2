/// The body of `jobs.query`.
struct QueryRequest: Encodable {
    struct FormatOptions: Encodable {
        /// Integer microseconds instead of float seconds: exact, and the same shape the emulator uses.
        var useInt64Timestamp: Bool
    }

    var query: String
    var useLegacySql = false
    var location: String
    var timeoutMs = 10_000
    var maxResults = 10_000
    var formatOptions = FormatOptions(useInt64Timestamp: true)
    /// Makes a retried jobs.query idempotent on BigQuery's side.
    var requestId: String
}
