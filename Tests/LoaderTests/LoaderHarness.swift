import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import HTTP
import Kafka
import Operations
import RecordContract
import TestSupport
import XCTest
@testable import Loader
import LoaderProcess

/// A loader configuration for tests: a given broker, an emulator, a fresh dataset, fast timings. Rows go
/// through the Storage Write API on the emulator's gRPC port (IBQ_BIGQUERY_GRPC) unless `writeAPI` says
/// `insert_all` (tests whose BigQuery is an HTTP stand-in, and the insertAll sink's own tests).
func loaderConfiguration(bootstrap: String, emulator: String, dataset: String, company: String = "demo",
                         includeTop: Bool = false, audit: Bool = false, lingerMilliseconds: Int = 200,
                         writeAPI: WriteAPI = .storage, grpc: String? = DevServices.load().bigQueryGRPC) -> LoaderConfiguration {
    LoaderConfiguration(
        company: company,
        kafka: KafkaSettings(bootstrapServers: bootstrap, properties: ["session.timeout.ms": "6000", "heartbeat.interval.ms": "500"]),
        bigquery: BigQuerySettings(project: "demo", dataset: dataset, emulatorHost: emulator, emulatorGRPCHost: grpc, writeAPI: writeAPI),
        loader: LoaderSettings(includeTop: includeTop, audit: audit, lingerMilliseconds: lingerMilliseconds, httpPort: 0,
                               retryMaxMilliseconds: 1000),
        environment: [:])
}

/// The YAML form of the same, for loaders run as processes.
func loaderYAML(bootstrap: String, emulator: String, dataset: String, company: String = "demo",
                writeAPI: WriteAPI = .storage, grpc: String? = DevServices.load().bigQueryGRPC) -> String {
    """
    company: \(company)
    kafka:
      bootstrap_servers: "\(bootstrap)"
      properties:
        session.timeout.ms: "6000"
        heartbeat.interval.ms: "500"
    bigquery:
      project: demo
      dataset: \(dataset)
      emulator_host: "\(emulator)"
      emulator_grpc_host: "\(grpc ?? "")"
      write_api: \(writeAPI.rawValue)
    loader:
      linger_ms: 200
      http_port: 0
      retry_max_ms: 1000
    logging:
      level: warning
    """
}

func quietLogger(_ label: String = "loader-test") -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = ProcessInfo.processInfo.environment["IBQ_TEST_LOG"] == "1" ? .info : .error
    return logger
}

/// A `LoaderService` running in this process, under a ServiceGroup, stopped gracefully.
final class InProcessLoader: Sendable {
    let service: LoaderService
    private let group: ServiceGroup
    private let task: Task<Void, Error>
    private let ended = EndedFlag()

    /// Set once the service group returns; shared with the running task.
    final class EndedFlag: Sendable {
        private let value = Atomic(false)
        func set() { value.store(true, ordering: .releasing) }
        var isSet: Bool { value.load(ordering: .acquiring) }
    }

    /// - Parameter clock: the workers' time; a `ManualClock` lets the test move linger and backoff by hand.
    init(configuration: LoaderConfiguration, entity: String, clock: any ServiceClock = .system) throws {
        let logger = quietLogger()
        service = try LoaderService(configuration: configuration, entity: entity, httpHost: "127.0.0.1", logger: logger, clock: clock)
        group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [service.operations, service], logger: logger))
        let group = self.group
        let ended = self.ended
        task = Task {
            defer { ended.set() }
            do { try await group.run() } catch {
                print("loader service group for \(entity) ended: \(error)")
                throw error
            }
        }
    }

    func port() async throws -> UInt16 { try await service.operations.boundPort() }

    /// `/readyz` status and body, over HTTP.
    func readiness() async throws -> (status: Int, body: String) {
        let http = HTTPClient()  // kept alive until the answer is in: dropping it tears its transfers down
        let response = try await http.send(HTTPRequest(url: "http://127.0.0.1:\(try await port())/readyz", timeout: .seconds(5)))
        return withExtendedLifetime(http) { (response.status, response.bodyText) }
    }

    /// Whether the service group returned (or threw): a loader must never end on its own.
    var hasEnded: Bool { ended.isSet }

    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }
}

/// Stops loaders together: one by one, each departure would wait for the group to rebalance.
func stopAll(_ loaders: [InProcessLoader]) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for loader in loaders { group.addTask { try await loader.stop() } }
        try await group.waitForAll()
    }
}

/// Reads `_current` totals for one object, per entity.
func currentTotals(_ client: BigQueryClient, object: String) async throws -> [String: PublishedCompany.Totals] {
    let mapping = ObjectMappings.mapping(for: object)!
    let amount = PublishedCompany.amountColumn(of: object).map { "SUM(\($0))" } ?? "CAST(0 AS NUMERIC)"
    // The view, not the table: a loader creates the view just after the table (and a killed one may
    // have created only the table).
    guard try await client.table(mapping.currentViewName) != nil else { return [:] }
    let result: QueryResult
    do {
        result = try await client.query(
            "SELECT _entity AS entity, COUNT(*) AS n, \(amount) AS total FROM \(client.qualified(mapping.currentViewName)) GROUP BY _entity")
    } catch let error as BigQueryError where error.isNotFound || error.kind == .queryFailed {
        // The view outlived a dropped table (the emulator reports that as a failed query job, not always
        // as notFound); the loader is about to recreate it. A real fault shows as the wait timing out.
        return [:]
    }
    var totals: [String: PublishedCompany.Totals] = [:]
    for row in result.rows {
        totals[row["entity"].string ?? "?"] = PublishedCompany.Totals(count: Int(row["n"].int64 ?? 0), amount: row["total"].decimal ?? 0)
    }
    return totals
}

/// Waits until every object's `_current` totals equal what was published, then returns the last mismatch report (empty).
func waitForTotals(_ client: BigQueryClient, _ company: PublishedCompany, timeout: Duration = .seconds(180)) async throws {
    var mismatches: [String] = []
    do {
        try await eventually("current totals equal the published ones", timeout: timeout, every: .seconds(1)) {
            mismatches = try await totalsMismatches(client, company)
            return mismatches.isEmpty
        }
    } catch {
        XCTFail("totals never matched: \(mismatches.joined(separator: "; "))")
        throw error
    }
}

func totalsMismatches(_ client: BigQueryClient, _ company: PublishedCompany) async throws -> [String] {
    var mismatches: [String] = []
    for (objects, entities) in [(company.objects, company.entities), (company.topObjects, [RecordKey.topLevelEntity])] {
        for object in objects {
            let actual = try await currentTotals(client, object: object)
            for entity in entities {
                let expected = company.expected(object: object, entity: entity)
                let found = actual[entity] ?? PublishedCompany.Totals()
                if found != expected { mismatches.append("\(object)/\(entity): expected \(expected), found \(found)") }
            }
        }
    }
    return mismatches
}

/// Publishes the company's messages to the broker and waits for every acknowledgement.
func publish(_ messages: [KafkaOutgoingMessage], to bootstrap: String) async throws {
    let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrap: bootstrap), logger: quietLogger())
    _ = try await producer.send(messages)
    await producer.close()
}

/// A bqemulator process of the test's own (so it can be stopped and restarted with its data).
final class EmulatorProcess: Sendable {
    let port: Int
    let dataDirectory: URL
    /// The running process; nil between `stop` and `start`.
    private let process = Mutex<Process?>(nil)

    init() throws {
        port = try freeLoopbackPort()
        dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("ibq-bq-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
    }

    var host: String { "127.0.0.1:\(port)" }

    /// The venv's python: `<repo>/.venv` (CI and `scripts/install-deps`), or `IBQ_VENV`.
    static var python: URL {
        if let venv = ProcessInfo.processInfo.environment["IBQ_VENV"] { return URL(fileURLWithPath: venv).appendingPathComponent("bin/python") }
        return repositoryRoot.appendingPathComponent(".venv/bin/python")
    }

    func start() async throws {
        let process = Process()
        process.executableURL = Self.python
        process.arguments = [repositoryRoot.appendingPathComponent("scripts/bqemulator-launcher.py").path, "start",
                             "--rest-host", "127.0.0.1", "--rest-port", "\(port)", "--grpc-port", "0", "--project", "demo",
                             "--data-dir", dataDirectory.path, "--log-level", "warning"]
        let log = FileHandle(forWritingAtPath: "/dev/null")
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process.withLock { $0 = process }
        let http = HTTPClient()
        try await eventually("emulator on \(host) answers", timeout: .seconds(90), every: .milliseconds(200)) {
            guard let response = try? await http.send(HTTPRequest(url: "http://\(self.host)/bigquery/v2/projects/demo/datasets", timeout: .seconds(2)))
            else { return false }
            return response.status == 200
        }
    }

    /// Stops it: SIGTERM so it can close its database, SIGKILL if it still waits on open keep-alive
    /// connections (uvicorn does, and the loader keeps its connections) after a few seconds.
    func stop() async throws {
        guard let process = self.process.withLock({ $0.take() }) else { return }
        process.terminate()
        do {
            try await eventually("emulator process exits", timeout: .seconds(5)) { !process.isRunning }
        } catch {
            kill(process.processIdentifier, SIGKILL)
            try await eventually("emulator process dies", timeout: .seconds(30)) { !process.isRunning }
        }
    }

    deinit {
        if let process = process.withLock({ $0 }), process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: dataDirectory)
    }
}

/// `intacct-bigquery load` as a real process, for kill tests.
/// A real `intacct-bigquery load` process.
func loaderProcess(configPath: String, entity: String) throws -> CLIProcess {
    try CLIProcess(["load", "--config", configPath, "--entity", entity], name: "loader-\(entity)")
}

/// Writes a loader YAML file for process-based tests.
func writeLoaderConfig(bootstrap: String, emulator: String, dataset: String) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("ibq-loader-\(UUID().uuidString.prefix(8)).yaml").path
    try loaderYAML(bootstrap: bootstrap, emulator: emulator, dataset: dataset).write(toFile: path, atomically: true, encoding: .utf8)
    return path
}
