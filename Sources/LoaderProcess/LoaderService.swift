import Foundation
import Logging
import ServiceLifecycle
import Catalog
import Configuration
import Kafka
import Loader
import Operations
import RecordContract
import StorageWrite

/// A loader process: the workers for one subsidiary (plus, when configured, the company-wide `top`
/// and audit groups), their shared BigQuery client, DLQ producer and readiness, and the operations
/// server (`/healthz`, `/readyz`, `/metrics`). A swift-service-lifecycle `Service`: on graceful
/// shutdown (SIGTERM) each worker sends what it can, commits and leaves its group.
public final class LoaderService: Service, Sendable {
    public let configuration: LoaderConfiguration
    public let entity: String
    public let workers: [LoaderWorker]
    public let health: LoaderHealth
    /// `/healthz`, `/readyz` (not ready, with the reason, while BigQuery is unavailable) and `/metrics`.
    public let operations: OperationsServer
    private let producer: KafkaProducer
    /// The Storage Write API's connection, when `write_api` is `storage`; it runs beside the workers.
    private let storageWrite: StorageWriteClient?
    private let logger: Logger

    /// Builds every client; nothing connects until `run`.
    /// - Parameters:
    ///   - entity: a subsidiary id (`E100`) or `top`.
    ///   - clock: what the workers read the time from (linger, commit throttle, outage backoff).
    public init(configuration: LoaderConfiguration, entity: String, httpHost: String = "0.0.0.0",
                logger: Logger = Logger(label: "intacct-bigquery.loader"), clock: any ServiceClock = .system) throws {
        guard LoaderScope.isValidIdentifier(entity) else {
            throw ConfigurationError(file: "command line", key: "--entity", problem: "must be a subsidiary id such as E100, or top (got \"\(entity)\")")
        }
        // Refused before anything connects: an operator who asked for the Write API must not get insertAll quietly.
        let storageEndpoint = configuration.bigquery.writeAPI == .storage ? try configuration.storageWriteEndpoint() : nil
        self.configuration = configuration
        self.entity = entity
        self.logger = logger
        let health = LoaderHealth()
        self.health = health

        var scopes = [LoaderScope(company: configuration.company, entity: entity)]
        if configuration.loader.includeTop && entity.lowercased() != RecordKey.topLevelEntity {
            scopes.append(LoaderScope(company: configuration.company, entity: RecordKey.topLevelEntity))
        }
        if configuration.loader.audit { scopes.append(.audit(company: configuration.company)) }

        let instance = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"
        let kafka = configuration.kafkaConfiguration(clientID: "intacct-bigquery-loader-\(entity.lowercased())")
        let consumerKafka = configuration.kafkaConfiguration(clientID: "intacct-bigquery-loader-\(entity.lowercased())", consumer: true)
        let producer = try KafkaProducer(configuration: kafka, logger: logger)
        self.producer = producer
        let client = try BigQueryClient(configuration: configuration.bigQueryClientConfiguration, logger: logger)
        let failpoint = configuration.loader.failpoint
            ?? configuration.environment[LoaderFailpoint.environmentVariable].flatMap { LoaderFailpoint(rawValue: $0) }
        if let failpoint { logger.warning("test-only failpoint armed: \(failpoint.rawValue)") }
        let deadLetters = DeadLetterPublisher(company: configuration.company, producer: producer, logger: logger, clock: clock)
        let mappingFile = try configuration.loader.mappingFile.map(SchemaMapping.load(from:))
        let mappings = (ObjectCatalog.standard.objects + [ObjectCatalog.auditHistory] + BalanceObjects.all).compactMap { ObjectMappings.mapping(for: $0.name, file: mappingFile) }
        let router = MessageRouter(company: configuration.company, mappings: mappings,
                                   rendersInsertAllRows: configuration.bigquery.writeAPI == .insertAll)
        let widening = configuration.loader.widenSchema ? SchemaWidening(client: client, mappingFile: mappingFile, logger: logger) : nil
        let preparer = TablePreparer(client: client, logger: logger)
        let insertAll = TableWriter(client: client, preparer: preparer, logger: logger, clock: clock)
        let sink: any RowSink
        switch configuration.bigquery.writeAPI {
        case .insertAll:
            storageWrite = nil
            sink = insertAll
        case .storage:
            let storage = try StorageWriteClient(endpoint: storageEndpoint ?? .google, tokens: client.tokenProvider)
            storageWrite = storage
            sink = StorageWriteRowSink(sink: StorageWriteSink(client: storage), project: configuration.bigquery.project,
                                       dataset: configuration.bigquery.dataset, preparer: preparer, mappings: mappings,
                                       widening: widening, auditRows: insertAll, logger: logger)
        }
        workers = try scopes.map { scope in
            let name = "\(scope.groupID)@\(instance)"
            health.set(name, notReadyBecause: nil)
            return LoaderWorker(
                scope: scope, name: name,
                consumer: try KafkaConsumer(configuration: consumerKafka, groupID: scope.groupID, autoOffsetReset: .earliest, logger: logger),
                router: router, sink: sink, offsetCheck: LoadedOffsetCheck(client: client), deadLetters: deadLetters,
                summaries: configuration.loader.audit ? producer : nil, health: health, settings: configuration.loader, logger: logger,
                widening: widening, clock: clock, failpoint: failpoint)
        }
        operations = try OperationsServer(host: httpHost, port: UInt16(configuration.loader.httpPort), logger: logger) {
            health.notReadyReasons
        }
    }

    public func run() async throws {
        logger.info("loader starting", metadata: [
            "entity": "\(entity)", "groups": "\(workers.map(\.scope.groupID))", "dataset": "\(configuration.bigquery.dataset)",
            "write_api": "\(configuration.bigquery.writeAPI.rawValue)", "storage_write_endpoint": "\(storageWrite?.endpoint.description ?? "-")",
        ])
        do {
            try await withThrowingTaskGroup(of: Void.self) { connection in
                if let storageWrite { connection.addTask { try await storageWrite.run() } }
                // The connection outlives the workers' last writes (the final flush on shutdown), then closes.
                defer { storageWrite?.close() }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for worker in workers { group.addTask { try await worker.run() } }
                    try await group.waitForAll()
                }
                storageWrite?.close()
                try await connection.waitForAll()
            }
        } catch {
            await producer.close(timeout: .seconds(5))
            throw error
        }
        await producer.close(timeout: .seconds(10))
    }
}
