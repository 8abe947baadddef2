import Foundation
import Configuration
import Kafka
import Operations

/// Everything a loader worker needs, from one YAML file plus `IBQ__A__B` environment overrides,
/// validated once at start-up. Which subsidiary a worker loads is not here: it comes from
/// `--entity`, so one file serves the whole fleet.
///
/// ```yaml
/// company: demo
/// kafka: { bootstrap_servers: "kafka:9092" }
/// bigquery: { project: my-project, dataset: intacct_demo, location: US }
/// loader: { include_top: false, audit: false, batch_rows: 500, linger_ms: 1000, http_port: 8082 }
/// logging: { level: info, format: json }
/// ```
public struct LoaderConfiguration: Decodable, Sendable {
    /// Company id as it appears in topic names (lowercased there).
    public var company: String
    public var kafka: KafkaSettings
    public var bigquery: BigQuerySettings
    public var loader: LoaderSettings
    public var logging: LoggingConfiguration
    /// The environment the file was read with (for `BIGQUERY_EMULATOR_HOST`, `GOOGLE_APPLICATION_CREDENTIALS`).
    public var environment: [String: String] = [:]
    /// Where it came from, for errors found after decoding.
    public var source: String = "configuration"

    enum CodingKeys: String, CodingKey { case company, kafka, bigquery, loader, logging }

    public init(company: String, kafka: KafkaSettings, bigquery: BigQuerySettings, loader: LoaderSettings = LoaderSettings(),
                logging: LoggingConfiguration = LoggingConfiguration(), environment: [String: String] = [:]) {
        self.company = company
        self.kafka = kafka
        self.bigquery = bigquery
        self.loader = loader
        self.logging = logging
        self.environment = environment
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        company = try c.decode(String.self, forKey: .company)
        kafka = try c.decode(KafkaSettings.self, forKey: .kafka)
        bigquery = try c.decode(BigQuerySettings.self, forKey: .bigquery)
        loader = try c.decodeIfPresent(LoaderSettings.self, forKey: .loader) ?? LoaderSettings()
        logging = try c.decodeIfPresent(LoggingConfiguration.self, forKey: .logging) ?? LoggingConfiguration()
        guard LoaderScope.isValidIdentifier(company) else {
            throw DecodingError.dataCorruptedError(forKey: .company, in: c,
                                                   debugDescription: "must be letters, digits, '_' or '-' (it becomes part of topic names)")
        }
    }

    /// Reads and validates `path`. Errors name the file and the key.
    public static func load(from path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> LoaderConfiguration {
        var configuration = try ConfigurationLoader(environment: environment).load(LoaderConfiguration.self, from: path)
        configuration.environment = environment
        configuration.source = path
        try configuration.validate()
        return configuration
    }

    /// Decodes and validates YAML text (`file` only names it in errors).
    public static func load(yaml: String, file: String = "loader.yaml",
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws -> LoaderConfiguration {
        var configuration = try ConfigurationLoader(environment: environment).load(LoaderConfiguration.self, yaml: yaml, file: file)
        configuration.environment = environment
        configuration.source = file
        try configuration.validate()
        return configuration
    }

    /// Checks what only makes sense across sections (credentials may come from the environment).
    public func validate() throws {
        do {
            try bigQueryClientConfiguration.validate()
        } catch let error as BigQueryError {
            throw ConfigurationError(file: source, key: "bigquery", problem: error.message)
        }
    }

    /// The BigQuery client's configuration, environment applied.
    public var bigQueryClientConfiguration: BigQueryConfiguration {
        bigquery.clientConfiguration(environment: environment, maxRowsPerInsert: max(loader.batchRows, 1),
                                     maxBytesPerInsert: 10 * 1024 * 1024)
    }

    /// Kafka client settings with the loader's defaults where the operator set nothing: a short
    /// session so a crashed replica's partitions move within seconds, frequent metadata refresh so a
    /// new object's topic joins the regex subscription soon after the poller creates it, and (for
    /// consumers) a 4 MB prefetch queue instead of librdkafka's 64 MB: the fetch buffers are most of a
    /// worker's heap. librdkafka 2.0 stops fetching at that cap until woken; the consumer wakes it when
    /// it has drained the queue (`KafkaConsumer`; docs/loader.md, the budget).
    public func kafkaConfiguration(clientID: String, consumer: Bool = false) -> KafkaConfiguration {
        // Security settings and the operator's properties first; defaults only fill what they leave unset.
        var configuration = kafka.configuration(clientID: clientID)
        var defaults = ["topic.metadata.refresh.interval.ms": "10000"]
        if consumer {
            defaults["session.timeout.ms"] = "10000"
            defaults["heartbeat.interval.ms"] = "1000"
            defaults["queued.max.messages.kbytes"] = "4096"
        }
        for (key, value) in defaults where configuration.properties[key] == nil { configuration.properties[key] = value }
        return configuration
    }

    /// Company id as topics spell it.
    public var topicCompany: String { company.lowercased() }

    /// Where the Storage Write API is, for `write_api: storage`. Checked when a loader starts, not when the
    /// file is read: `replay` and `reconcile` read the same file and never use the Write API.
    /// - Throws: `ConfigurationError` naming `bigquery.emulator_grpc_host` when an emulator is used without it.
    public func storageWriteEndpoint() throws -> StorageWriteEndpoint {
        if let endpoint = bigquery.storageWriteEndpoint(environment: environment) { return endpoint }
        let named = bigquery.emulatorGRPCHost ?? environment[BigQuerySettings.emulatorGRPCHostVariable]
        throw ConfigurationError(file: source, key: "bigquery.emulator_grpc_host", problem: named.map {
            "must be host:port of the emulator's Storage Write API (got \"\($0)\")"
        } ?? "write_api is storage and an emulator is used, but the emulator's gRPC host:port is not set (set emulator_grpc_host or \(BigQuerySettings.emulatorGRPCHostVariable), or write_api: insert_all)")
    }
}
