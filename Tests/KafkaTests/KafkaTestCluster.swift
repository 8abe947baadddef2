import Foundation
import Logging
import DevBroker
import Kafka
import TestSupport
import XCTest

/// A mock cluster started for one test, with helpers to make clients that talk to it over TCP.
final class KafkaTestCluster {
    let broker: DevBroker
    let logger: Logger

    init(brokers: Int = 1) throws {
        var logger = Logger(label: "test.kafka")
        logger.logLevel = ProcessInfo.processInfo.environment["KAFKA_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        self.logger = logger
        broker = try DevBroker(brokers: brokers)
    }

    deinit { broker.stop() }

    var configuration: KafkaConfiguration {
        KafkaConfiguration(bootstrap: broker.bootstrapServers, clientID: "kafka-tests")
    }

    var consumerConfiguration: KafkaConfiguration {
        var configuration = configuration
        // Short heartbeats so a joining member triggers the rebalance promptly. The session stays at
        // 6 s, the resetter's: the mock delays a join by the group's session timeout - 1 s, and a
        // member whose own session is shorter than that delay is expelled and rejoins forever.
        configuration.properties = ["session.timeout.ms": "6000", "heartbeat.interval.ms": "200",
                                    "topic.metadata.refresh.interval.ms": "1000"]
        return configuration
    }

    /// A fresh topic name, so tests never see each other's records.
    func topic(_ prefix: String = "test", partitions: Int) throws -> String {
        let name = "\(prefix).\(UUID().uuidString.prefix(8).lowercased())"
        try broker.createTopic(name, partitions: partitions)
        return name
    }

    func producer() throws -> KafkaProducer { try KafkaProducer(configuration: configuration, logger: logger) }

    func consumer(group: String) throws -> KafkaConsumer {
        try KafkaConsumer(configuration: consumerConfiguration, groupID: group, logger: logger)
    }

    func admin() throws -> KafkaAdmin { try KafkaAdmin(configuration: configuration, logger: logger) }

    /// Publishes `count` records keyed `key-<n>` and returns their delivery reports.
    @discardableResult
    func produce(_ count: Int, to topic: String, partition: Int32? = nil, keyPrefix: String = "key") async throws -> [KafkaCoordinates] {
        let producer = try producer()
        let messages = (0..<count).map {
            KafkaOutgoingMessage(topic: topic, key: "\(keyPrefix)-\($0)", value: Data("value-\($0)".utf8), partition: partition)
        }
        let reports = try await producer.send(messages)
        await producer.close()
        return reports
    }
}

/// Waits until the consumer owns partitions, polling an empty topic (so nothing is consumed).
func waitForAssignment(_ consumers: KafkaConsumer..., timeout: Duration = .seconds(90)) async throws {
    try await eventually("every consumer owns partitions", timeout: timeout) {
        for consumer in consumers { _ = try await consumer.poll(maxMessages: 1, timeout: .milliseconds(100)) }
        return try consumers.allSatisfy { try !$0.assignment().isEmpty }
    }
}

/// Records which keys the application processed, across consumers running concurrently.
actor KafkaProcessedLedger {
    private(set) var counts: [String: Int] = [:]
    private(set) var byConsumer: [String: Int] = [:]

    func record(_ messages: [KafkaMessage], by consumer: String) {
        for message in messages { counts[message.keyString ?? "", default: 0] += 1 }
        byConsumer[consumer, default: 0] += messages.count
    }

    var total: Int { counts.values.reduce(0, +) }
    var duplicates: [String] { counts.filter { $0.value > 1 }.map(\.key).sorted() }
}
