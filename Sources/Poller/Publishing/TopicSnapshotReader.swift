import Foundation
import Logging
import Kafka

/// Reads a topic from its beginning to the end it had when reading started, and keeps the latest value
/// per key (a tombstone removes the key): what a compacted topic means, whether or not the broker has
/// compacted it yet.
///
/// It assigns itself every partition rather than joining a consumer group: a group takes seconds to
/// form (the poller paid three of them at every start only to read `_state`), and a reader that takes
/// whole topics has nothing to share with anyone. It never commits. The end is each partition's high
/// watermark, asked once before reading.
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

    /// Calls `visit` for at most the last `count` records of each partition of `topic`, up to its current end.
    public func scanTail(topic: String, count: Int, _ visit: (KafkaMessage) throws -> Void) async throws {
        try await scan(topics: [topic], tail: count, visit)
    }

    /// Calls `visit` for every record of `topics` up to their current ends (or only each partition's last
    /// `tail` records), in order within a partition.
    public func scan(topics: [String], tail: Int? = nil, _ visit: (KafkaMessage) throws -> Void) async throws {
        guard !topics.isEmpty else { return }
        // librdkafka wants a group id on every consumer; this one is never joined.
        let consumer = try KafkaConsumer(configuration: kafka, groupID: "intacct-bigquery.snapshot.\(UUID().uuidString.lowercased())",
                                         autoOffsetReset: .earliest, logger: logger)
        do {
            try await read(consumer, topics: topics, tail: tail, visit)
        } catch {
            try? await consumer.close()
            throw error
        }
        try? await consumer.close()
    }

    private func read(_ consumer: KafkaConsumer, topics: [String], tail: Int?, _ visit: (KafkaMessage) throws -> Void) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var ends: [KafkaTopicPartition: Int64] = [:]
        var next: [KafkaTopicPartition: Int64] = [:]
        for topic in topics {
            for partition in try await consumer.partitions(of: topic, timeout: timeout) {
                let marks = try await watermarks(of: partition, consumer, until: deadline)
                // An empty partition (or one compacted to nothing) has nothing to read.
                guard marks.high > marks.low else { continue }
                ends[partition] = marks.high
                next[partition] = tail.map { max(marks.low, marks.high - Int64($0)) } ?? marks.low
            }
        }
        guard !ends.isEmpty else { return }
        try consumer.assign(next)
        while !ends.allSatisfy({ partition, end in (next[partition] ?? 0) >= end }) {
            guard clock.now < deadline else {
                throw PollerError.topicReadTimedOut(topic: topics.joined(separator: ","), after: timeout)
            }
            for message in try await consumer.poll(maxMessages: 5000, timeout: .milliseconds(200)) {
                guard let end = ends[message.topicPartition], message.offset < end else { continue }
                try visit(message)
                next[message.topicPartition] = max(next[message.topicPartition] ?? 0, message.nextOffset)
            }
        }
    }

    /// A partition's watermarks. Right after a topic was created its partitions may have no leader yet,
    /// and the question fails: it is asked again until the deadline.
    private func watermarks(of partition: KafkaTopicPartition, _ consumer: KafkaConsumer,
                            until deadline: ContinuousClock.Instant) async throws -> (low: Int64, high: Int64) {
        while true {
            do {
                return try await consumer.watermarks(of: partition, timeout: .seconds(5))
            } catch let error as KafkaError {
                guard ContinuousClock.now < deadline else { throw error }
                logger.info("partition watermarks not available yet; asking again", metadata: [
                    "topic": "\(partition.topic)", "partition": "\(partition.partition)", "error": "\(error)",
                ])
                try await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    /// The latest value per key (as UTF-8 text) of `topic`; tombstoned keys are absent.
    public func latestValues(topic: String) async throws -> [String: Data] {
        var latest: [String: Data] = [:]
        try await scan(topic: topic) { message in
            guard let key = message.keyString else { return }
            // A copy: a consumed value is a slice of its whole poll's buffer, which a kept slice would
            // keep alive with every version this key's later ones replaced.
            latest[key] = message.value.map { Data($0) }
        }
        return latest
    }
}
