import Foundation

/// Addresses of the services `scripts/dev-services start` launched, read from the file it writes
/// (`.dev-services/addresses.env`, or the path in `IBQ_DEV_SERVICES_FILE`). Environment variables of
/// the same names win, so a test run can point at services started some other way.
public struct DevServices: Sendable {
    /// Kafka bootstrap address of the dev broker, e.g. `127.0.0.1:39092`.
    public var kafkaBootstrap: String?
    /// `host:port` of the BigQuery emulator's REST API.
    public var bigQueryEmulator: String?
    /// `host:port` of the BigQuery emulator's gRPC port (Storage Write and Read APIs, plaintext).
    public var bigQueryGRPC: String?

    public static func load(file: String = #filePath) -> DevServices {
        var values: [String: String] = [:]
        let path = ProcessInfo.processInfo.environment["IBQ_DEV_SERVICES_FILE"]
            ?? URL(fileURLWithPath: file).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent(".dev-services/addresses.env").path
        if let text = try? String(contentsOfFile: path, encoding: .utf8) {
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
                if parts.count == 2 { values[parts[0]] = parts[1] }
            }
        }
        for (key, value) in ProcessInfo.processInfo.environment where key.hasPrefix("IBQ_") { values[key] = value }
        return DevServices(kafkaBootstrap: values["IBQ_KAFKA_BOOTSTRAP"], bigQueryEmulator: values["IBQ_BIGQUERY_EMULATOR"],
                           bigQueryGRPC: values["IBQ_BIGQUERY_GRPC"])
    }
}

/// The repository root, for tests that run the built binary or read fixtures.
public let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
