import Foundation
import Logging
import HTTP
import Operations
import RecordContract
import Synchronization
import TestSupport
import XCTest
@testable import Loader

/// Why an integration test cannot run; a failure with instructions, never a skip.
struct MissingEmulator: Error, CustomStringConvertible {
    var description: String {
        "BigQuery emulator not configured: export IBQ_BIGQUERY_EMULATOR=host:port (e.g. 127.0.0.1:19050) or run scripts/dev-services start"
    }
}

/// The emulator's `host:port`, checked to answer before any test uses it.
func emulatorHost() async throws -> String {
    guard let host = DevServices.load().bigQueryEmulator, !host.isEmpty else { throw MissingEmulator() }
    let http = HTTPClient()
    do {
        let response = try await http.send(HTTPRequest(url: "http://\(host)/bigquery/v2/projects/demo/datasets", timeout: .seconds(10)))
        guard response.status == 200 else { throw MissingEmulatorUnreachable(host: host, detail: "HTTP \(response.status)") }
    } catch let error as HTTPClientError {
        throw MissingEmulatorUnreachable(host: host, detail: error.description)
    }
    return host
}

struct MissingEmulatorUnreachable: Error, CustomStringConvertible {
    var host: String
    var detail: String
    var description: String { "BigQuery emulator at \(host) (IBQ_BIGQUERY_EMULATOR) does not answer: \(detail)" }
}

/// A dataset name no other test (or concurrent run) uses.
func uniqueDatasetName(_ prefix: String) -> String {
    "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
}

/// A client for the emulator, fast backoff so retry paths do not slow the suite.
func emulatorClient(host: String, dataset: String, logger: Logger = Logger(label: "test")) -> BigQueryClient {
    let configuration = BigQueryConfiguration(
        project: "demo", dataset: dataset, emulatorHost: host,
        backoff: Backoff(initial: .milliseconds(20), maximum: .milliseconds(200), maxRetries: 3)
    )
    return BigQueryClient(configuration: configuration, tokenProvider: nil, http: HTTPClient(), logger: logger)
}

/// swift-log handler that keeps every message and its metadata, for asserting what reaches the logs.
/// A value, as swift-log expects of handlers: metadata set on one logger stays on that logger.
struct RecordingLogHandler: LogHandler {
    /// Shared by every copy of the handler.
    final class Store: Sendable {
        private let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    let store: Store
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    init(store: Store) { self.store = store }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let rendered = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        store.append("\(event.level) \(event.message) \(rendered)")
    }

    static func logger(_ store: Store) -> Logger {
        Logger(label: "recording") { _ in RecordingLogHandler(store: store) }
    }
}

func sampleEnvelope(object: String = "APBILL", entity: String = "E100", recordNo: String, fields: [(String, String)],
                    whenModified: String = "2026-01-31T12:00:00Z") -> RecordEnvelope {
    RecordEnvelope(
        key: RecordKey(company: "demo", entity: entity, object: object, recordNo: recordNo),
        whenModified: whenModified, extractedAt: "2026-01-31T12:05:00Z",
        fields: fields.map { RecordField(name: $0.0, value: $0.1) }
    )
}
