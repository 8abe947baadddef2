import Foundation
import Operations

/// `bigquery:` in the loader's configuration file: where the tables live and how to authenticate.
/// `BIGQUERY_EMULATOR_HOST` and `GOOGLE_APPLICATION_CREDENTIALS` fill in what the file leaves unset,
/// the way Google's own clients read them.
public struct BigQuerySettings: Decodable, Sendable, Equatable {
    /// GCP project that owns the dataset.
    public var project: String
    /// Dataset for every table and view of this company; created on first use.
    public var dataset: String
    /// Dataset location (`US`, `EU`, `europe-west2`...).
    public var location: String
    /// Service-account JSON key. Unset: `GOOGLE_APPLICATION_CREDENTIALS`.
    public var credentialsFile: String?
    /// `host:port` of a BigQuery emulator (plain HTTP, no auth). Unset: `BIGQUERY_EMULATOR_HOST`.
    public var emulatorHost: String?
    /// Authenticating proxy origin (`scheme://host:port`), e.g. the sandbox token server.
    public var endpoint: String?
    /// `write_api`: the Storage Write API (`storage`) or `insert_all`. The default stays `insert_all`
    /// until the Storage Write sink is part of the binary; `storage` is refused at start-up until then.
    public var writeAPI: WriteAPI

    enum CodingKeys: String, CodingKey {
        case project, dataset, location, endpoint
        case credentialsFile = "credentials_file", emulatorHost = "emulator_host", writeAPI = "write_api"
    }

    public init(project: String, dataset: String, location: String = "US", credentialsFile: String? = nil,
                emulatorHost: String? = nil, endpoint: String? = nil, writeAPI: WriteAPI = .insertAll) {
        self.writeAPI = writeAPI
        self.project = project
        self.dataset = dataset
        self.location = location
        self.credentialsFile = credentialsFile
        self.emulatorHost = emulatorHost
        self.endpoint = endpoint
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        project = try c.decode(String.self, forKey: .project)
        dataset = try c.decode(String.self, forKey: .dataset)
        location = try c.decodeIfPresent(String.self, forKey: .location) ?? "US"
        credentialsFile = try c.decodeIfPresent(String.self, forKey: .credentialsFile).flatMap { $0.isEmpty ? nil : $0 }
        emulatorHost = try c.decodeIfPresent(String.self, forKey: .emulatorHost).flatMap { $0.isEmpty ? nil : $0 }
        endpoint = try c.decodeIfPresent(String.self, forKey: .endpoint).flatMap { $0.isEmpty ? nil : $0 }
        if let text = try c.decodeIfPresent(String.self, forKey: .writeAPI) {
            guard let api = WriteAPI(rawValue: text) else {
                throw DecodingError.dataCorruptedError(forKey: .writeAPI, in: c,
                    debugDescription: "must be one of \(WriteAPI.allCases.map(\.rawValue).joined(separator: ", ")) (got \"\(text)\")")
            }
            writeAPI = api
        } else {
            writeAPI = .insertAll
        }
        guard !project.isEmpty else {
            throw DecodingError.dataCorruptedError(forKey: .project, in: c, debugDescription: "must not be empty")
        }
        guard BigQueryConfiguration.isValidDatasetID(dataset) else {
            throw DecodingError.dataCorruptedError(forKey: .dataset, in: c, debugDescription: "must be letters, digits and underscores (got \"\(dataset)\")")
        }
    }

    /// The client configuration. The client itself does not retry: the loader owns retry policy, so an
    /// outage pauses consumption instead of blocking inside one request's backoff loop.
    public func clientConfiguration(environment: [String: String], maxRowsPerInsert: Int, maxBytesPerInsert: Int) -> BigQueryConfiguration {
        BigQueryConfiguration(
            project: project, dataset: dataset, location: location, credentialsPath: credentialsFile,
            emulatorHost: emulatorHost, endpoint: endpoint, requestTimeout: .seconds(60),
            backoff: Backoff(initial: .milliseconds(100), maximum: .seconds(1), maxRetries: 0),
            maxRowsPerInsert: maxRowsPerInsert, maxBytesPerInsert: maxBytesPerInsert
        ).applyingEnvironment(environment)
    }
}
