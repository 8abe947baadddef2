import Foundation
import Logging
import Kafka
import RecordContract
import TestSupport

/// Reads `intacct.<company>._dlq` from the beginning to its end, with a throwaway consumer group.
enum DeadLetterTopic {
    struct Letter: Sendable {
        var key: String
        var reason: String
        var field: String?
        var value: String?
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

    private static func letter(_ message: KafkaMessage) -> Letter {
        let object = message.value.flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] } ?? [:]
        return Letter(key: message.keyString ?? (object["key"] as? String) ?? "?", reason: object["reason"] as? String ?? "?",
                      field: object["field"] as? String, value: object["value"] as? String)
    }
}
