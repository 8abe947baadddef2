import Foundation
import Catalog
import Kafka
import RecordContract
import Timestamps

/// Turns Intacct rows into record envelopes and tombstones and publishes them, returning once Kafka
/// acknowledged every one (idempotent producer, acks=all).
public struct RecordPublisher: Sendable {
    public let producer: KafkaProducer
    public let topics: Topics

    public init(producer: KafkaProducer, topics: Topics) {
        self.producer = producer
        self.topics = topics
    }

    /// The message for one row, or nil when the row has no RECORDNO (it cannot be keyed; the caller
    /// audits it). A WHENMODIFIED that does not parse is kept in the fields and left empty in the envelope.
    /// `fieldTypes` (discovered types of fields outside the standard catalog) go in the `ibq-field-types` header.
    public func message(for row: IntacctRow, entity: String, object: IntacctObject, extractedAt: String,
                        fieldTypes: [String: IntacctFieldType] = [:], timeZone: IntacctTimeZone = .utc) -> KafkaOutgoingMessage? {
        var builder = messageBuilder(entity: entity, object: object, fieldTypes: fieldTypes, timeZone: timeZone)
        return builder.message(for: row, extractedAt: extractedAt)
    }

    /// A builder for many rows of one stream (what `message(for:…)` does, without repeating the per-stream work).
    /// `timeZone` is the zone Intacct wrote the rows' times in; they reach the envelope in UTC.
    public func messageBuilder(entity: String, object: IntacctObject, fieldTypes: [String: IntacctFieldType] = [:],
                               timeZone: IntacctTimeZone = .utc) -> RecordMessageBuilder {
        RecordMessageBuilder(topics: topics, entity: entity, object: object, fieldTypes: fieldTypes, timeZone: timeZone)
    }

    /// A tombstone for `key`, saying why and when the delete was seen.
    public func tombstone(for key: RecordKey, reason: String, deletedAt: String) -> KafkaOutgoingMessage {
        KafkaOutgoingMessage(topic: key.topic, key: key.description, value: nil, headers: [
            KafkaHeader(name: RecordEnvelope.Header.deleteReason, string: reason),
            KafkaHeader(name: RecordEnvelope.Header.deletedAt, string: deletedAt),
        ])
    }

    /// Publishes and waits for every acknowledgement.
    public func publish(_ messages: [KafkaOutgoingMessage]) async throws {
        _ = try await producer.send(messages)
    }

    /// Hands the messages to the producer in order and returns before the broker acknowledged them;
    /// await `acknowledged()` on the result before relying on them (e.g. before moving a watermark).
    public func enqueue(_ messages: [KafkaOutgoingMessage]) async throws -> KafkaProducerDelivery {
        try await producer.enqueue(messages)
    }
}
