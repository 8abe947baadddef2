import Foundation
import Logging
import Kafka
import RecordContract
import TestSupport

/// Reads `intacct.<company>._dlq` from the beginning to its end, with a throwaway consumer group.
enum DeadLetterTopic {
    /// The members of a DLQ value the matrix reads (docs/loader.md, "Dead letters").
    struct Letter: Sendable, Decodable {
        /// BigQuery's own account of a row it refused.
        struct BigQuery: Sendable, Decodable {
            var reason: String?
            var location: String?
            var message: String?
            var index: Int?
            var status: Int?
        }

        var key: String
        var reason: String
        var field: String?
        var value: String?
        var bigquery: BigQuery?

        init(key: String, reason: String) {
            self.key = key
            self.reason = reason
        }

        enum CodingKeys: String, CodingKey { case key, reason, field, value, bigquery }

        /// `key` is null for a record that had none; the Kafka key (or "?") stands in.
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            key = try container.decodeIfPresent(String.self, forKey: .key) ?? "?"
            reason = try container.decode(String.self, forKey: .reason)
            field = try container.decodeIfPresent(String.self, forKey: .field)
            value = try container.decodeIfPresent(String.self, forKey: .value)
            bigquery = try container.decodeIfPresent(BigQuery.self, forKey: .bigquery)
        }
    }

    static func read(bootstrap: String, company: String) async throws -> [Letter] {
        let topic = Topics(company: company).deadLetters
        var logger = Logger(label: "fault-matrix.dlq")
        logger.logLevel = .critical
        let configuration = KafkaConfiguration(bootstrap: bootstrap, clientID: "fault-matrix",
                                               properties: ["session.timeout.ms": "6000"])
        let admin = try KafkaAdmin(configuration: configuration, logger: logger)
        guard try await admin.listTopics().contains(topic) else { return [] }  // nothing was ever dead-lettered
        let partitions = try await admin.partitionCount(topic: topic)

        let consumer = try KafkaConsumer(configuration: configuration, groupID: "fault-matrix-dlq-\(UUID().uuidString)",
                                         autoOffsetReset: .earliest, logger: logger)
        try consumer.subscribe(topics: [topic])
        var letters: [Letter] = []
        var assigned = false
        try await eventually("the dead-letter topic is read to its end", timeout: .seconds(60), every: .milliseconds(10)) {
            for message in try await consumer.poll(maxMessages: 1000, timeout: .milliseconds(200)) {
                letters.append(letter(message))
            }
            if !assigned { assigned = (try consumer.assignment().count) == partitions }
            guard assigned else { return false }
            let lag = try await consumer.lag()
            return lag.count == partitions && lag.values.allSatisfy { ($0.position ?? $0.lowWatermark) >= $0.highWatermark }
        }
        try? await consumer.close(timeout: .seconds(5))
        return letters
    }

    /// A value that is not a dead letter still counts (under its Kafka key), so the matrix reports it.
    private static func letter(_ message: KafkaMessage) -> Letter {
        if let value = message.value, var letter = try? JSONDecoder().decode(Letter.self, from: value) {
            letter.key = message.keyString ?? letter.key
            return letter
        }
        return Letter(key: message.keyString ?? "?", reason: "?")
    }
}
