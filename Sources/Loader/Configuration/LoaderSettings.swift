/// `loader:` in the configuration file: what a worker consumes besides its subsidiary, and how it batches.
public struct LoaderSettings: Decodable, Sendable, Equatable {
    /// Also join the company-wide `top` group (`bigquery-loader.<company>.top`). Every worker of the
    /// fleet that sets this shares that one group, so each `top` record is still loaded by one member.
    public var includeTop: Bool
    /// Also load `intacct.<company>._audit` into the `_audit` table (shared group
    /// `bigquery-loader.<company>._audit`), and publish this worker's load summaries to that topic.
    public var audit: Bool
    /// Rows per insertAll request (Google recommends at most 500).
    public var batchRows: Int
    /// Approximate bytes per insertAll request (the hard limit is 10 MB).
    public var batchBytes: Int
    /// How long the first row of a batch may wait for company.
    public var lingerMilliseconds: Int
    /// Port of `/healthz`, `/readyz` and `/metrics` (0: any free port).
    public var httpPort: Int
    /// Rows (and dead letters) held in memory before consumption pauses.
    public var maxBufferedRows: Int
    /// Longest wait between attempts while BigQuery is unavailable.
    public var retryMaxMilliseconds: Int

    /// The mapping file of `intacct-bigquery discover --write` (`mapping_file`): type overrides and
    /// exclusions for the tables; nil: the built-in mappings.
    public var mappingFile: String?
    /// Add a typed NULLABLE column when records carry a field the table lacks (`widen_schema`, default true).
    public var widenSchema = true
    /// Test-only crash point (`failpoint`); nil in production. See `LoaderFailpoint`.
    public var failpoint: LoaderFailpoint?

    enum CodingKeys: String, CodingKey {
        case mappingFile = "mapping_file", widenSchema = "widen_schema", failpoint
        case includeTop = "include_top", audit
        case batchRows = "batch_rows", batchBytes = "batch_bytes", lingerMilliseconds = "linger_ms"
        case httpPort = "http_port", maxBufferedRows = "max_buffered_rows", retryMaxMilliseconds = "retry_max_ms"
    }

    public init(includeTop: Bool = false, audit: Bool = false, batchRows: Int = 500, batchBytes: Int = 9 * 1024 * 1024,
                lingerMilliseconds: Int = 1000, httpPort: Int = 8082, maxBufferedRows: Int = 10_000,
                retryMaxMilliseconds: Int = 30_000) {
        self.includeTop = includeTop
        self.audit = audit
        self.batchRows = batchRows
        self.batchBytes = batchBytes
        self.lingerMilliseconds = lingerMilliseconds
        self.httpPort = httpPort
        self.maxBufferedRows = maxBufferedRows
        self.retryMaxMilliseconds = retryMaxMilliseconds
    }

    public init(from decoder: any Decoder) throws {
        let defaults = LoaderSettings()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        includeTop = try c.decodeIfPresent(Bool.self, forKey: .includeTop) ?? defaults.includeTop
        audit = try c.decodeIfPresent(Bool.self, forKey: .audit) ?? defaults.audit
        batchRows = try c.decodeIfPresent(Int.self, forKey: .batchRows) ?? defaults.batchRows
        batchBytes = try c.decodeIfPresent(Int.self, forKey: .batchBytes) ?? defaults.batchBytes
        lingerMilliseconds = try c.decodeIfPresent(Int.self, forKey: .lingerMilliseconds) ?? defaults.lingerMilliseconds
        httpPort = try c.decodeIfPresent(Int.self, forKey: .httpPort) ?? defaults.httpPort
        maxBufferedRows = try c.decodeIfPresent(Int.self, forKey: .maxBufferedRows) ?? defaults.maxBufferedRows
        retryMaxMilliseconds = try c.decodeIfPresent(Int.self, forKey: .retryMaxMilliseconds) ?? defaults.retryMaxMilliseconds
        mappingFile = try c.decodeIfPresent(String.self, forKey: .mappingFile)
        widenSchema = try c.decodeIfPresent(Bool.self, forKey: .widenSchema) ?? true
        if let text = try c.decodeIfPresent(String.self, forKey: .failpoint), !text.isEmpty {
            guard let point = LoaderFailpoint(rawValue: text) else {
                throw DecodingError.dataCorruptedError(forKey: .failpoint, in: c,
                    debugDescription: "must be one of \(LoaderFailpoint.allCases.map(\.rawValue).joined(separator: ", ")) (test only; got \"\(text)\")")
            }
            failpoint = point
        }

        func check(_ ok: Bool, _ key: CodingKeys, _ problem: String) throws {
            if !ok { throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: problem) }
        }
        try check((1...10_000).contains(batchRows), .batchRows, "must be between 1 and 10000 (BigQuery advises 500)")
        try check((1024...(10 * 1024 * 1024)).contains(batchBytes), .batchBytes, "must be between 1 KB and 10 MB (insertAll's request limit)")
        try check((0...600_000).contains(lingerMilliseconds), .lingerMilliseconds, "must be between 0 and 600000")
        try check((0...65_535).contains(httpPort), .httpPort, "must be a TCP port (0 picks a free one)")
        try check(maxBufferedRows >= batchRows, .maxBufferedRows, "must be at least batch_rows (\(batchRows))")
        try check((100...3_600_000).contains(retryMaxMilliseconds), .retryMaxMilliseconds, "must be between 100 and 3600000")
    }

    /// The batch limits as a policy.
    public var batchPolicy: BatchPolicy {
        BatchPolicy(maxRows: batchRows, maxBytes: batchBytes, linger: .milliseconds(lingerMilliseconds))
    }
}
