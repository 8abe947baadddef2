import Foundation
import Logging
import Kafka

/// Reads a topic from its beginning to the end it had when reading started, and keeps the latest value
/// per key (a tombstone removes the key): what a compacted topic means, whether or not the broker has
/// compacted it yet.
///
/// It joins a throwaway consumer group and never commits, so it neither disturbs nor depends on any
/// other reader; the end is the partitions' high watermarks taken once the group assigned them.
public struct TopicSnapshotReader: Sendable {
    public var kafka: KafkaConfiguration
    public var logger: Logger
    /// How long to wait for the group to assign partitions and for records to arrive.
    public var timeout: Duration

    public init(kafka: KafkaConfiguration, logger: Logger, timeout: Duration = .seconds(60)) {
        self.kafka = kafka
        self.logger = logger
        self.timeout = timeout
    }

    /// Calls `visit` for every record of `topic` up to its current end, in partition order.
    public func scan(topic: String, _ visit: (KafkaMessage) throws -> Void) async throws {
        try await scan(topics: [topic], visit)
    }

    /// Calls `visit` for every record of `topics` up to their current ends, in order within a partition.
    /// One group for all of them: joining a group costs a few seconds on some brokers.
    public func scan(topics: [String], _ visit: (KafkaMessage) throws -> Void) async throws {
        guard !topics.isEmpty else { return }
        let consumer = try KafkaConsumer(configuration: kafka, groupID: "intacct-bigquery.snapshot.\(UUID().uuidString.lowercased())",
                                         autoOffsetReset: .earliest, logger: logger)
        do {
            try await read(consumer, topics: topics, visit)
        } catch {
            try? await consumer.close()
            throw error
        }
        try? await consumer.close()
    }

    private func read(_ consumer: KafkaConsumer, topics: [String], _ visit: (KafkaMessage) throws -> Void) async throws {
        try consumer.subscribe(topics: topics)
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var ends: [KafkaTopicPartition: Int64]?
        var next: [KafkaTopicPartition: Int64] = [:]
        var pending: [KafkaMessage] = []
        while true {
            // Every subscribed topic must be assigned before the ends mean anything.
            if ends == nil, Set(try consumer.assignment().map(\.topic)) == Set(topics) {
                let lag = try await consumer.lag()
                ends = lag.mapValues(\.highWatermark)
                for (partition, value) in lag where next[partition] == nil { next[partition] = value.lowWatermark }
            }
            for message in pending {
                guard ends?[message.topicPartition].map({ message.offset < $0 }) ?? true else { continue }
                try visit(message)
                next[message.topicPartition] = max(next[message.topicPartition] ?? 0, message.nextOffset)
            }
            pending = []
            if let ends, ends.allSatisfy({ partition, end in (next[partition] ?? 0) >= end }) { return }
            guard clock.now < deadline else {
                throw PollerError.topicReadTimedOut(topic: topics.joined(separator: ","), after: timeout)
            }
            pending = try await consumer.poll(maxMessages: 5000, timeout: .milliseconds(200))
        }
    }

    /// The latest value per key (as UTF-8 text) of `topic`; tombstoned keys are absent.
    public func latestValues(topic: String) async throws -> [String: Data] {
        var latest: [String: Data] = [:]
        try await scan(topic: topic) { message in
            guard let key = message.keyString else { return }
            latest[key] = message.value
        }
        return latest
    }
}
