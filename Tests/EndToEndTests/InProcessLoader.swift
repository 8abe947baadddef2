import Foundation
import HTTP
import Kafka
import Loader
import LoaderProcess
import Logging
import TestSupport
import ServiceLifecycle

/// One entity's loader run inside the test process, with a BigQuery client on the same dataset: the
/// tests that poll in-process and then read what was loaded set both up alike.
struct InProcessLoader {
    let bigQuery: BigQueryClient
    /// Errors only, so the test's own output stays readable.
    let logger: Logger
    private let group: ServiceGroup
    private let running: Task<Void, Error>

    init(company: String, bootstrapServers: String, dataset: String, emulator: String, entity: String) throws {
        var quiet = Logger(label: "test.loader")
        quiet.logLevel = .error
        let configuration = LoaderConfiguration(
            company: company,
            kafka: KafkaSettings(bootstrapServers: bootstrapServers, properties: ["session.timeout.ms": "6000", "heartbeat.interval.ms": "500"]),
            bigquery: BigQuerySettings(project: "demo", dataset: dataset, emulatorHost: emulator,
                                       emulatorGRPCHost: DevServices.load().bigQueryGRPC),
            loader: LoaderSettings(lingerMilliseconds: 200, httpPort: 0, retryMaxMilliseconds: 1000),
            environment: [:])
        let service = try LoaderService(configuration: configuration, entity: entity, httpHost: "127.0.0.1", logger: quiet)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [service.operations, service], logger: quiet))
        self.group = group
        running = Task { try await group.run() }
        bigQuery = BigQueryClient(
            configuration: BigQueryConfiguration(project: "demo", dataset: dataset, emulatorHost: emulator),
            tokenProvider: nil, http: HTTPClient(), logger: quiet)
        logger = quiet
    }

    /// Shuts the loader down gracefully and rethrows what its run threw.
    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await running.value
    }
}
