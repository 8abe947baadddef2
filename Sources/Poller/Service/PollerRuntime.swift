import Foundation
import Logging
import Catalog
import Kafka
import RecordContract
import Operations

/// Everything a poller process runs with, built from its configuration: the shared Intacct client, the
/// producer, the topics (ensured), the watermarks (loaded from `_state`) and the coordinator.
public struct PollerRuntime: Sendable {
    public let configuration: PollerConfiguration
    public let context: PollerContext
    public let coordinator: PollCoordinator
    public let producer: KafkaProducer
    /// What `/readyz` reports: Kafka and Intacct reachable.
    public let readiness: PollerReadiness

    /// The Intacct client the configuration describes (also used by `discover`).
    public static func intacctClient(for configuration: PollerConfiguration, clock: any ServiceClock = .system) throws -> IntacctClient {
        let settings = configuration.intacct
        let intacct = settings.clientConfiguration
        try intacct.validate()
        return IntacctClient(configuration: intacct, logger: Logger(label: "intacct-bigquery.intacct"), clock: clock)
    }

    /// Schema discovery as `poller.discover`, `discovery_interval_seconds` and `mapping_file` ask; a
    /// mapping file that does not load fails start-up, naming the file.
    public static func schemaDiscovery(for configuration: PollerConfiguration, client: IntacctClient, logger: Logger,
                                       clock: any ServiceClock = .system) throws -> SchemaDiscovery? {
        let settings = configuration.poller
        guard settings.discover || settings.mappingFile != nil else { return nil }
        let mapping = try settings.mappingFile.map(SchemaMapping.load(from:))
        return SchemaDiscovery(client: client, mapping: mapping, refreshInterval: settings.discover ? settings.discoveryInterval : nil,
                               logger: logger, clock: clock)
    }

    /// Connects, ensures the topics and loads the watermarks. Fails (before any polling) if Kafka
    /// cannot be reached or `_state` cannot be read to its end: resuming from a guess could skip records.
    public static func start(_ configuration: PollerConfiguration, shutdown: ShutdownFlag = ShutdownFlag(),
                             logger: Logger = Logger(label: "intacct-bigquery.poller"), clock: any ServiceClock = .system) async throws -> PollerRuntime {
        ProcessHeap.limitRetention()
        let client = try intacctClient(for: configuration, clock: clock)
        let discovery = try schemaDiscovery(for: configuration, client: client, logger: logger, clock: clock)
        let kafka = configuration.kafka.configuration(clientID: "intacct-bigquery-poller")
        let producer = try KafkaProducer(configuration: kafka)
        let topics = Topics(company: configuration.company)
        // Intacct's lookup decides, before anything is created, that every object exists and how it is read.
        let configured = PollTarget.all(in: configuration.poller)
        let targets = try await discovery?.prepare(configured) ?? configured
        let admin = try KafkaAdmin(configuration: kafka)
        let compacted = [topics.state] + Set(targets.map { topics.records(entity: $0.entity, object: $0.object.name) }
            + BalanceExtraction.topics(configuration.balances, entities: configuration.poller.entities, topics: topics)).sorted()
        try await admin.ensureTopics(compacted, partitions: configuration.kafka.topicPartitions,
                                     replicationFactor: configuration.kafka.replicationFactor, config: Topics.compactedConfig)
        // The loaders' dead letters go to `_dlq` too: created here, with the fleet's partition count, rather
        // than left to broker auto-creation (which may be off).
        try await admin.ensureTopics([topics.audit, topics.deadLetters], partitions: configuration.kafka.topicPartitions,
                                     replicationFactor: configuration.kafka.replicationFactor, config: Topics.historyConfig)
        // Best effort: a topic the producer does not know yet is learned on its first record anyway.
        do {
            try await producer.prepare(topics: compacted + [topics.audit])
        } catch {
            logger.warning("could not read the topics' metadata ahead of the first records", metadata: ["error": "\(error)"])
        }
        let snapshots = TopicSnapshotReader(kafka: kafka, logger: logger)
        let watermarks = WatermarkStore(producer: producer, topic: topics.state)
        try await watermarks.load(using: snapshots)
        let loaded = await watermarks.all.count
        logger.info("watermarks loaded", metadata: ["streams": "\(loaded)"])
        let settings = configuration.intacct
        let context = PollerContext(
            company: configuration.company, client: client, publisher: RecordPublisher(producer: producer, topics: topics),
            watermarks: watermarks, audit: AuditLog(producer: producer, topic: topics.audit, logger: logger), snapshots: snapshots,
            overlap: configuration.poller.overlap, pageSize: settings.pageSize, shutdown: shutdown, logger: logger, discovery: discovery,
            clock: clock
        )
        // Every stream at once: each has at most one page request waiting in the throttle's queue, which
        // hands the request slots out by rows left to read, and the page budget bounds what they hold.
        // Fewer streams than that left slots idle whenever the running ones waited on Kafka or ended.
        let coordinator = PollCoordinator(context: context, targets: targets, parallelism: max(1, targets.count))
        // The admin client that ensured the topics stays for readiness's metadata requests.
        let readiness = PollerReadiness(admin: admin, intacct: client, clock: clock)
        return PollerRuntime(configuration: configuration, context: context, coordinator: coordinator, producer: producer,
                             readiness: readiness)
    }

    /// The balance reports the configuration asks for, or nil when it asks for none.
    public var balances: BalanceExtraction? {
        configuration.balances.map { BalanceExtraction(context: context, settings: $0, entities: configuration.poller.entities) }
    }

    /// Flushes and closes the producer.
    public func close() async {
        await producer.close()
    }
}
