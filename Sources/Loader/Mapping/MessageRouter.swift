import Foundation
import Kafka
import RecordContract
import Timestamps

/// Turns one consumed Kafka message into either a row for a table or a dead letter. Never throws and
/// never drops: whatever cannot become a row becomes a dead letter saying why.
public struct MessageRouter: Sendable {
    /// What became of a message.
    public enum Outcome: Sendable {
        case row(table: String, PendingRow)
        case deadLetter(table: String, DeadLetter)
    }

    private let company: String
    private let auditTopic: String
    private var converters: [String: RowConverter]
    /// Whether record rows get their insertAll JSON (`PendingRow.row`). The Storage Write sink encodes
    /// from the decoded envelope (`PendingRow.envelope`) and never reads it, so on that path the router
    /// only validates and hands the envelope on.
    public let rendersInsertAllRows: Bool

    public init(company: String, mappings: [ObjectMapping] = ObjectMappings.all, rendersInsertAllRows: Bool = true) {
        self.rendersInsertAllRows = rendersInsertAllRows
        self.company = company.lowercased()
        auditTopic = Topics(company: company).audit
        converters = Dictionary(mappings.map { ($0.tableName, RowConverter(mapping: $0)) }, uniquingKeysWith: { first, _ in first })
    }

    /// A router that converts with `mappings` for their tables (schema widening) and as before otherwise.
    public func updating(_ mappings: [ObjectMapping]) -> MessageRouter {
        var copy = self
        for mapping in mappings { copy.converters[mapping.tableName] = RowConverter(mapping: mapping) }
        return copy
    }

    public func route(_ message: KafkaMessage, loadedAt: Date = Date()) -> Outcome {
        var order: CanonicalFieldOrder?
        return route(message, to: destination(of: message.topic), loadedAt: loadedAt, loadedAtText: RowConverter.microsecondTimestamp(loadedAt),
                     order: &order)
    }

    /// Routes a poll's messages, in order. The table of each topic is worked out once per call,
    /// `_loaded_at` rendered once, and a run of envelopes with the same field list sorted once.
    public func route(_ messages: some Collection<KafkaMessage>, loadedAt: Date = Date()) -> [Outcome] {
        let loadedAtText = RowConverter.microsecondTimestamp(loadedAt)
        var order: CanonicalFieldOrder?
        var destinations: [String: Destination] = [:]
        var outcomes: [Outcome] = []
        outcomes.reserveCapacity(messages.count)
        for message in messages {
            let destination: Destination
            if let known = destinations[message.topic] {
                destination = known
            } else {
                destination = self.destination(of: message.topic)
                destinations[message.topic] = destination
            }
            outcomes.append(route(message, to: destination, loadedAt: loadedAt, loadedAtText: loadedAtText, order: &order))
        }
        return outcomes
    }

    /// Where a topic's messages go.
    private enum Destination {
        case audit
        case table(String, RowConverter)
        /// Not a topic of ours, or an object without a mapping: dead letters for `table`.
        case unknown(table: String, detail: String)
    }

    private func destination(of topic: String) -> Destination {
        if topic == auditTopic { return .audit }
        // intacct.<company>.<entity>.<object>: the topic, not the payload, decides the table, so even an
        // unreadable value is ordered with (and committed after) the rows of its partition.
        guard let stream = Topics.recordStream(of: topic) else {
            return .unknown(table: "?" + topic, detail: "topic \(topic) is not intacct.<company>.<entity>.<object>")
        }
        let table = String(stream.object)
        guard let converter = converters[table] else {
            return .unknown(table: "?" + table, detail: "no mapping for object \(table.uppercased())")
        }
        return .table(table, converter)
    }

    private func route(_ message: KafkaMessage, to destination: Destination, loadedAt: Date, loadedAtText: String,
                       order: inout CanonicalFieldOrder?) -> Outcome {
        let coordinates = KafkaCoordinates(message)
        let table: String, converter: RowConverter
        switch destination {
        case .audit:
            do {
                return .row(table: AuditTable.name, PendingRow(
                    row: try AuditTable.row(for: message, loadedAt: loadedAt), source: coordinates,
                    recordKey: message.keyString ?? "", original: message.value))
            } catch {
                return .deadLetter(table: AuditTable.name, letter(.undecodable, "\(error)", table: AuditTable.name, message))
            }
        case let .unknown(deadTable, detail):
            return .deadLetter(table: deadTable, letter(.unknownObject, detail, table: nil, message))
        case let .table(name, tableConverter):
            (table, converter) = (name, tableConverter)
        }
        guard let value = message.value else { return tombstone(message, table: table, converter: converter, loadedAtText: loadedAtText) }

        let envelope: RecordEnvelope
        do { envelope = try RecordEnvelope.decode(value, reusing: &order) } catch {
            return .deadLetter(table: table, letter(.undecodable, "\(error)", table: table, message))
        }
        guard envelope.object.lowercased() == table else {
            return .deadLetter(table: table, letter(.invalidKey, "envelope of object \(envelope.object) on topic \(message.topic)", table: table, message))
        }
        // The Kafka key decides partition and compaction, the envelope what lands in the row: a message
        // whose two disagree would compact away (or be kept beside) some other record's versions.
        let key = envelope.key.description
        guard let messageKey = message.key, messageKey.elementsEqual(key.utf8) else {
            let found = message.key.map { "\"\(String(decoding: $0, as: UTF8.self))\"" } ?? "<none>"
            return .deadLetter(table: table, letter(.invalidKey, "message key \(found) is not the envelope's key \"\(key)\"", table: table, message))
        }
        guard rendersInsertAllRows else {
            // The envelope rides along: the sink encodes from it, so each message is read and hashed once.
            return .row(table: table, PendingRow(row: nil, source: coordinates, recordKey: key, original: value, envelope: envelope,
                                                 contentSHA256: envelope.contentSHA256))
        }
        do {
            let row = try converter.row(for: envelope, key: key, from: coordinates, loadedAtText: loadedAtText)
            return .row(table: table, PendingRow(row: row, source: coordinates, recordKey: key, original: value,
                                                 contentSHA256: envelope.contentSHA256))
        } catch let error as RowConversionError {
            var dead = letter(.conversion, error.description, table: table, message)
            dead.field = error.field
            dead.value = error.value
            return .deadLetter(table: table, dead)
        } catch {
            return .deadLetter(table: table, letter(.conversion, "\(error)", table: table, message))
        }
    }

    /// A null value deletes the key: a `_deleted` row versioned by when the delete was observed.
    private func tombstone(_ message: KafkaMessage, table: String, converter: RowConverter, loadedAtText: String) -> Outcome {
        guard let keyText = message.keyString, let key = RecordKey(parsing: keyText), key.object.lowercased() == table else {
            return .deadLetter(table: table, letter(.invalidKey, "tombstone key \(message.keyString ?? "<none>") is not <company>/<entity>/\(table.uppercased())/<RECORDNO>", table: table, message))
        }
        let header = message.header(RecordEnvelope.Header.deletedAt)?.value.map { String(decoding: $0, as: UTF8.self) }
        // Without the poller's header, the broker's timestamp is the best "when" there is.
        guard let deletedAt = header ?? message.timestamp.map(IntacctTimestamp.iso8601) else {
            return .deadLetter(table: table, letter(.invalidKey, "tombstone without \(RecordEnvelope.Header.deletedAt) header or timestamp", table: table, message))
        }
        guard rendersInsertAllRows else {
            return .row(table: table, PendingRow(row: nil, source: KafkaCoordinates(message), recordKey: keyText, original: nil, deletedAt: deletedAt))
        }
        do {
            let row = try converter.tombstoneRow(for: key, deletedAt: deletedAt, from: KafkaCoordinates(message), loadedAtText: loadedAtText)
            return .row(table: table, PendingRow(row: row, source: KafkaCoordinates(message), recordKey: keyText, original: nil, deletedAt: deletedAt))
        } catch {
            return .deadLetter(table: table, letter(.conversion, "\(error)", table: table, message))
        }
    }

    private func letter(_ reason: DeadLetter.Reason, _ detail: String, table: String?, _ message: KafkaMessage) -> DeadLetter {
        DeadLetter(reason: reason, detail: detail, table: table, source: KafkaCoordinates(message), key: message.key, original: message.value)
    }
}
