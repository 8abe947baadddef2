import Foundation
import Shared

/// Turns Intacct rows into record envelopes and tombstones and publishes them, returning once Kafka
/// acknowledged every one (idempotent producer, acks=all).
public struct RecordPublisher: Sendable {
    public let producer: KafkaProducer
    public let topics: PollerTopics

    public init(producer: KafkaProducer, topics: PollerTopics) {
        self.producer = producer
        self.topics = topics
    }

    /// The message for one row, or nil when the row has no RECORDNO (it cannot be keyed; the caller
    /// audits it). A WHENMODIFIED that does not parse is kept in the fields and left empty in the envelope.
    /// `fieldTypes` (discovered types of fields outside the standard catalog) go in the `ibq-field-types` header.
    public func message(for row: IntacctRow, entity: String, object: IntacctObject, extractedAt: String,
                        fieldTypes: [String: IntacctFieldType] = [:]) -> KafkaOutgoingMessage? {
        guard let recordNo = row[object.keyField], !recordNo.isEmpty else { return nil }
        let key = RecordKey(company: topics.company, entity: entity, object: object.name, recordNo: recordNo)
        let whenModified = row["WHENMODIFIED"].flatMap(IntacctTimestamp.parse).map(IntacctTimestamp.iso8601) ?? ""
        let envelope = RecordEnvelope(key: key, whenModified: whenModified, extractedAt: extractedAt, fields: row.fields)
        return KafkaOutgoingMessage(
            topic: topics.records(entity: entity, object: object.name), key: key.description, value: envelope.encoded(),
            headers: [KafkaHeader(name: RecordEnvelope.Header.contentSHA256, string: envelope.contentSHA256)]
                + (fieldTypes.isEmpty ? [] : [KafkaHeader(name: RecordEnvelope.Header.fieldTypes, string: FieldTypeHints(fieldTypes).header)])
        )
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
}
