import Foundation
import Logging
import Kafka

/// Writes audit records to `intacct.<company>._audit` and to the log. Publishing an audit record must
/// never stop extraction: a Kafka failure here is logged and the run goes on.
public struct AuditLog: Sendable {
    public let producer: KafkaProducer
    public let topic: String
    public let logger: Logger

    public init(producer: KafkaProducer, topic: String, logger: Logger) {
        self.producer = producer
        self.topic = topic
        self.logger = logger
    }

    public func write(_ record: AuditRecord) async {
        do {
            _ = try await producer.send(topic: topic, key: record.key, value: record.encoded())
        } catch {
            logger.error("could not publish an audit record", metadata: [
                "type": "\(record.kind.rawValue)", "entity": "\(record.entity)", "object": "\(record.object)", "error": "\(error)",
            ])
        }
    }
}
