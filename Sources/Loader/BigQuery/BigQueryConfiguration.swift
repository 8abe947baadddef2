import Foundation
import Operations

/// Where and how the loader talks to BigQuery. One value per loader process, validated at start-up.
public struct BigQueryConfiguration: Sendable {
    /// GCP project that owns the dataset (and is billed for queries).
    public var project: String
    /// Dataset the tables live in; created on first use.
    public var dataset: String
    /// Dataset location (`US`, `EU`, `europe-west2`...). Query jobs run there too.
    public var location: String
    /// Service-account key file; `nil` falls back to `GOOGLE_APPLICATION_CREDENTIALS`.
    public var credentialsPath: String?
    /// `host:port` of a BigQuery emulator: plain HTTP and no authentication.
    public var emulatorHost: String?
    /// Overrides the API origin (`scheme://host:port`, no path) while keeping service-account auth —
    /// for an authenticating proxy such as the sandbox token server. `nil` means Google or the emulator.
    public var endpoint: String?
    /// Deadline of each HTTP request (control plane and insertAll).
    public var requestTimeout: Duration
    /// How long `query` waits for a job before giving up with `queryTimedOut`.
    public var queryTimeout: Duration
    /// Retries inside the client for retryable failures; `maxRetries: 0` leaves retrying to the caller.
    public var backoff: Backoff
    /// After this client creates a table or changes its schema, streaming may answer 404 or "no such
    /// field" for a while (minutes on real BigQuery): within this window a 404 is retryable.
    public var schemaPropagationWindow: Duration
    /// Refresh the access token this long before it expires.
    public var tokenRefreshMargin: Duration
    /// insertAll limits the client enforces before sending (Google: 10 MB request, 500 rows recommended).
    public var maxRowsPerInsert: Int
    public var maxBytesPerInsert: Int

    public init(
        project: String, dataset: String, location: String = "US", credentialsPath: String? = nil,
        emulatorHost: String? = nil, endpoint: String? = nil, requestTimeout: Duration = .seconds(60),
        queryTimeout: Duration = .seconds(300), backoff: Backoff = Backoff(initial: .milliseconds(250), maximum: .seconds(30), maxRetries: 5),
        schemaPropagationWindow: Duration = .seconds(900), tokenRefreshMargin: Duration = .seconds(300),
        maxRowsPerInsert: Int = 500, maxBytesPerInsert: Int = 9 * 1024 * 1024
    ) {
        self.project = project
        self.dataset = dataset
        self.location = location
        self.credentialsPath = credentialsPath
        self.emulatorHost = emulatorHost
        self.endpoint = endpoint
        self.requestTimeout = requestTimeout
        self.queryTimeout = queryTimeout
        self.backoff = backoff
        self.schemaPropagationWindow = schemaPropagationWindow
        self.tokenRefreshMargin = tokenRefreshMargin
        self.maxRowsPerInsert = maxRowsPerInsert
        self.maxBytesPerInsert = maxBytesPerInsert
    }

    /// Applies `BIGQUERY_EMULATOR_HOST` and `GOOGLE_APPLICATION_CREDENTIALS` where the value leaves them unset.
    public func applyingEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> BigQueryConfiguration {
        var copy = self
        if copy.emulatorHost == nil, let host = environment["BIGQUERY_EMULATOR_HOST"], !host.isEmpty { copy.emulatorHost = host }
        if copy.credentialsPath == nil, let path = environment["GOOGLE_APPLICATION_CREDENTIALS"], !path.isEmpty { copy.credentialsPath = path }
        return copy
    }

    /// True when talking to an emulator: no auth, and the emulator's gaps are worked around.
    public var usesEmulator: Bool { emulatorHost != nil }

    /// `https://bigquery.googleapis.com/bigquery/v2`, or the emulator's / proxy's equivalent.
    public var apiRoot: String {
        if let endpoint { return endpoint.trimmingSuffix("/") + "/bigquery/v2" }
        if let emulatorHost { return "http://\(emulatorHost)/bigquery/v2" }
        return "https://bigquery.googleapis.com/bigquery/v2"
    }

    /// Throws a `.configuration` error naming the setting that cannot work.
    public func validate() throws {
        func fail(_ message: String) -> BigQueryError {
            BigQueryError(kind: .configuration, operation: "configuration", message: message, isRetryable: false)
        }
        if project.isEmpty { throw fail("bigquery.project is empty") }
        if !Self.isValidDatasetID(dataset) { throw fail("bigquery.dataset \"\(dataset)\" must be letters, digits and underscores, at most 1024") }
        if emulatorHost == nil && credentialsPath == nil {
            throw fail("no credentials: set bigquery.credentials or GOOGLE_APPLICATION_CREDENTIALS (or BIGQUERY_EMULATOR_HOST for an emulator)")
        }
        if !(1...10_000).contains(maxRowsPerInsert) { throw fail("maxRowsPerInsert must be within 1...10000") }
        if !(1...(10 * 1024 * 1024)).contains(maxBytesPerInsert) { throw fail("maxBytesPerInsert must be at most 10 MB") }
    }

    static func isValidDatasetID(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 1024 && id.utf8.allSatisfy { $0 == 95 || (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) }
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        var text = self
        while text.hasSuffix(suffix) { text.removeLast(suffix.count) }
        return text
    }
}
