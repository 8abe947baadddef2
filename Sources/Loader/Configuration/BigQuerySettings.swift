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
    /// `host:port` of the emulator's Storage Write API (plaintext gRPC, bqemulator's `--grpc-port`).
    /// Unset: `BIGQUERY_EMULATOR_GRPC_HOST`. Required with an emulator when `write_api` is `storage`.
    public var emulatorGRPCHost: String?
    /// Authenticating proxy origin (`scheme://host:port`), e.g. the sandbox token server.
    public var endpoint: String?
    /// `write_api`: the Storage Write API (`storage`, the default) or `insert_all`.
    public var writeAPI: WriteAPI

    enum CodingKeys: String, CodingKey {
        case project, dataset, location, endpoint
        case credentialsFile = "credentials_file", emulatorHost = "emulator_host", writeAPI = "write_api"
        case emulatorGRPCHost = "emulator_grpc_host"
    }

    public init(project: String, dataset: String, location: String = "US", credentialsFile: String? = nil,
                emulatorHost: String? = nil, emulatorGRPCHost: String? = nil, endpoint: String? = nil, writeAPI: WriteAPI = .storage) {
        self.writeAPI = writeAPI
        self.emulatorGRPCHost = emulatorGRPCHost
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
        emulatorGRPCHost = try c.decodeIfPresent(String.self, forKey: .emulatorGRPCHost).flatMap { $0.isEmpty ? nil : $0 }
        endpoint = try c.decodeIfPresent(String.self, forKey: .endpoint).flatMap { $0.isEmpty ? nil : $0 }
        if let text = try c.decodeIfPresent(String.self, forKey: .writeAPI) {
            guard let api = WriteAPI(rawValue: text) else {
                throw DecodingError.dataCorruptedError(forKey: .writeAPI, in: c,
                    debugDescription: "must be one of \(WriteAPI.allCases.map(\.rawValue).joined(separator: ", ")) (got \"\(text)\")")
            }
            writeAPI = api
        } else {
            writeAPI = .storage
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

    /// The environment variable that names the emulator's gRPC `host:port` when the file does not.
    public static let emulatorGRPCHostVariable = "BIGQUERY_EMULATOR_GRPC_HOST"

    /// Where the Storage Write API is: Google's endpoint over TLS, or with an emulator (file or
    /// `BIGQUERY_EMULATOR_HOST`) its plaintext gRPC port from `emulator_grpc_host` or
    /// `BIGQUERY_EMULATOR_GRPC_HOST`. `nil` when an emulator is used and neither names a valid `host:port`.
    public func storageWriteEndpoint(environment: [String: String]) -> StorageWriteEndpoint? {
        let emulator = emulatorHost ?? environment["BIGQUERY_EMULATOR_HOST"].flatMap { $0.isEmpty ? nil : $0 }
        guard emulator != nil else { return .google }
        let grpc = emulatorGRPCHost ?? environment[Self.emulatorGRPCHostVariable].flatMap { $0.isEmpty ? nil : $0 }
        return grpc.flatMap(StorageWriteEndpoint.plaintext)
    }
}
