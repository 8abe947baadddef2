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
    /// The Storage Write path's encoders, per table; empty on the insertAll path.
    private var encoders: [String: ProtoRowEncoder] = [:]
    /// Whether record rows get their insertAll JSON (`PendingRow.row`). Otherwise they get their Storage
    /// Write protobuf row (`PendingRow.encoded`), written here straight from the message's bytes: the
    /// routing lanes run in parallel, and no decoded envelope is held between routing and the sink.
    public let rendersInsertAllRows: Bool

    public init(company: String, mappings: [ObjectMapping] = ObjectMappings.all, rendersInsertAllRows: Bool = true) {
        self.rendersInsertAllRows = rendersInsertAllRows
        self.company = company.lowercased()
        auditTopic = Topics(company: company).audit
        converters = Dictionary(mappings.map { ($0.tableName, RowConverter(mapping: $0)) }, uniquingKeysWith: { first, _ in first })
        if !rendersInsertAllRows {
            encoders = Dictionary(mappings.map { ($0.tableName, ProtoRowEncoder(mapping: $0)) }, uniquingKeysWith: { first, _ in first })
        }
    }

    /// A router that converts with `mappings` for their tables (schema widening) and as before otherwise.
    public func updating(_ mappings: [ObjectMapping]) -> MessageRouter {
        var copy = self
        for mapping in mappings {
            copy.converters[mapping.tableName] = RowConverter(mapping: mapping)
            if !rendersInsertAllRows { copy.encoders[mapping.tableName] = ProtoRowEncoder(mapping: mapping) }
        }
        return copy
    }

    public func route(_ message: KafkaMessage, loadedAt: Date = Date()) -> Outcome {
        var work = Work(loadedAt: loadedAt)
        return route(message, to: destination(of: message.topic, work: &work), work: &work)
    }

    /// Routes a poll's messages, in order. The table of each topic is worked out once per call,
    /// `_loaded_at` rendered once, and a run of envelopes with the same field list sorted once.
    public func route(_ messages: some Collection<KafkaMessage>, loadedAt: Date = Date()) -> [Outcome] {
        var work = Work(loadedAt: loadedAt)
        var destinations: [String: Destination] = [:]
        // A poll's messages come in runs of one partition: the last topic is checked before any hashing.
        var last: (topic: String, destination: Destination)?
        var outcomes: [Outcome] = []
        outcomes.reserveCapacity(messages.count)
        // By index, so each message is read in place rather than copied out of the collection.
        for index in messages.indices {
            let message = messages[index]
            let destination: Destination
            if let last, last.topic == message.topic {
                destination = last.destination
            } else if let known = destinations[message.topic] {
                destination = known
            } else {
                destination = self.destination(of: message.topic, work: &work)
                destinations[message.topic] = destination
            }
            last = (message.topic, destination)
            outcomes.append(route(message, to: destination, work: &work))
        }
        return outcomes
    }

    /// What one call reuses from message to message: `_loaded_at`, the envelope scanner, and one row
    /// scratch per table's encoder.
    private struct Work {
        let loadedAt: Date
        let loadedAtText: String
        let loadedAtMicros: Int64
        var scanner = EnvelopeScanner()
        var scratches: [ProtoRowEncoder.RowScratch] = []

        init(loadedAt: Date) {
            self.loadedAt = loadedAt
            loadedAtText = RowConverter.microsecondTimestamp(loadedAt)
            loadedAtMicros = ProtoRowEncoder.microseconds(loadedAt)
        }
    }

    /// Where a topic's messages go.
    private enum Destination {
        case audit
        case table(TableDestination)
        /// Not a topic of ours, or an object without a mapping: dead letters for `table`.
        case unknown(table: String, detail: String)
    }

    /// A table's converter, and on the Storage Write path its encoder and scratch (an index into
    /// `Work.scratches`): behind one reference, so routing a message retains one object rather than
    /// copying the converter's and encoder's parts.
    private final class TableDestination {
        let table: String
        /// The object as `RecordKey.description` spells it in a key.
        let keyObject: String
        let converter: RowConverter
        let encoder: ProtoRowEncoder?
        let scratch: Int

        init(table: String, converter: RowConverter, encoder: ProtoRowEncoder?, scratch: Int) {
            (self.table, self.converter, self.encoder, self.scratch) = (table, converter, encoder, scratch)
            keyObject = table.uppercased()
        }
    }

    private func destination(of topic: String, work: inout Work) -> Destination {
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
        guard let encoder = encoders[table] else { return .table(TableDestination(table: table, converter: converter, encoder: nil, scratch: -1)) }
        work.scratches.append(ProtoRowEncoder.RowScratch())
        return .table(TableDestination(table: table, converter: converter, encoder: encoder, scratch: work.scratches.count - 1))
    }

    private func route(_ message: KafkaMessage, to destination: Destination, work: inout Work) -> Outcome {
        let coordinates = KafkaCoordinates(message)
        let route: TableDestination
        switch destination {
        case .audit:
            do {
                return .row(table: AuditTable.name, PendingRow(
                    row: try AuditTable.row(for: message, loadedAt: work.loadedAt), source: coordinates,
                    recordKey: message.keyString ?? "", original: message.value))
            } catch {
                return .deadLetter(table: AuditTable.name, letter(.undecodable, "\(error)", table: AuditTable.name, message))
            }
        case let .unknown(deadTable, detail):
            return .deadLetter(table: deadTable, letter(.unknownObject, detail, table: nil, message))
        case let .table(destination):
            route = destination
        }
        let (table, converter) = (route.table, route.converter)
        guard let value = message.value else { return tombstone(message, table: table, converter: converter, encoder: route.encoder, work: work) }
        if route.encoder != nil {
            return storageWriteRow(message, value: value, to: route, coordinates: coordinates, work: &work)
        }

        let envelope: RecordEnvelope
        do { envelope = try RecordEnvelope.decode(value, using: &work.scanner) } catch {
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
        do {
            let row = try converter.row(for: envelope, key: key, from: coordinates, loadedAtText: work.loadedAtText)
            return .row(table: table, PendingRow(row: row, source: coordinates, recordKey: key, original: value,
                                                 contentSHA256: envelope.contentSHA256))
        } catch {
            return .deadLetter(table: table, conversionLetter(error, table: table, message))
        }
    }

    /// A record on the Storage Write path: the message's bytes read (`EnvelopeScanner`), checked as on the
    /// insertAll path (hash, object, key), and written straight to its protobuf row, with no `String` per
    /// field and no decoded envelope kept.
    private func storageWriteRow(_ message: KafkaMessage, value: Data, to route: TableDestination,
                                 coordinates: KafkaCoordinates, work: inout Work) -> Outcome {
        let (table, encoder, scratch) = (route.table, route.encoder!, route.scratch)
        let loadedAtMicros = work.loadedAtMicros
        // Out of `work` while it reads, so the body may use the scratches beside it.
        var scanner = EnvelopeScanner()
        swap(&scanner, &work.scanner)
        defer { swap(&scanner, &work.scanner) }
        do {
            return try scanner.read(value) { envelope in
                guard let keyObject = Self.keyObject(envelope.object, of: route) else {
                    let object = EnvelopeBytes.string(envelope.object)
                    return .deadLetter(table: table, letter(.invalidKey, "envelope of object \(object) on topic \(message.topic)", table: table, message))
                }
                guard let messageKey = message.key, Self.key(messageKey, isKeyOf: envelope, object: keyObject) else {
                    let key = RecordKey(company: EnvelopeBytes.string(envelope.company), entity: EnvelopeBytes.string(envelope.entity),
                                        object: EnvelopeBytes.string(envelope.object), recordNo: EnvelopeBytes.string(envelope.recordNo)).description
                    let found = message.key.map { "\"\(String(decoding: $0, as: UTF8.self))\"" } ?? "<none>"
                    return .deadLetter(table: table, letter(.invalidKey, "message key \(found) is not the envelope's key \"\(key)\"", table: table, message))
                }
                do {
                    let row = try encoder.row(for: envelope, key: messageKey, from: coordinates, loadedAtMicros: loadedAtMicros,
                                              reusing: &work.scratches[scratch])
                    // The hash as a slice of the value: no copy, unless the envelope escaped it.
                    let hash = envelope.contentSHA256Offsets.map { PendingRow.Text.utf8(value[(value.startIndex + $0.lowerBound)..<(value.startIndex + $0.upperBound)]) }
                        ?? .string(EnvelopeBytes.string(envelope.contentSHA256))
                    return .row(table: table, PendingRow(source: coordinates, key: messageKey, original: value,
                                                         encoded: ProtoRowEncoder.EncodedRow(bytes: row, version: encoder.version), contentSHA256: hash))
                } catch {
                    return .deadLetter(table: table, conversionLetter(error, table: table, message))
                }
            }
        } catch {
            return .deadLetter(table: table, letter(.undecodable, "\(error)", table: table, message))
        }
    }

    /// The envelope's object as its key spells it (uppercased), if the object lowercased is the route's
    /// table (as on the insertAll path); nil if not. An ASCII object (all Intacct has) is compared byte
    /// by byte with no `String`, and its key spelling is the table's, made once per route.
    private static func keyObject(_ object: UnsafeBufferPointer<UInt8>, of route: TableDestination) -> String? {
        var table = route.table
        let asciiMatch = table.withUTF8 { table -> Bool? in
            guard object.allSatisfy({ $0 < 0x80 }) else { return nil }
            guard object.count == table.count else { return false }
            for index in object.indices {
                var byte = object[index]
                if byte >= UInt8(ascii: "A"), byte <= UInt8(ascii: "Z") { byte += 0x20 }
                guard byte == table[index] else { return false }
            }
            return true
        }
        if let asciiMatch { return asciiMatch ? route.keyObject : nil }
        // Anything else as a `String`, by Unicode's case rules.
        let text = EnvelopeBytes.string(object)
        return text.lowercased() == route.table ? text.uppercased() : nil
    }

    /// Whether `key` is the envelope's key as `RecordKey.description` spells it (`company/entity/OBJECT/
    /// recordno`, the object uppercased: `object`), compared without making it.
    private static func key(_ key: Data, isKeyOf envelope: EnvelopeBytes, object: String) -> Bool {
        var object = object
        return object.withUTF8 { object in
            key.withUnsafeBytes { raw in
                let key = raw.bindMemory(to: UInt8.self)
                var position = 0
                return take(envelope.company, slash: true, from: key, at: &position) && take(envelope.entity, slash: true, from: key, at: &position)
                    && take(object, slash: true, from: key, at: &position) && take(envelope.recordNo, slash: false, from: key, at: &position)
                    && position == key.count
            }
        }
    }

    /// Whether `key` holds `part` at `position` (then a slash, if `slash`), moving past them if so. Not a
    /// closure over `position`: a captured variable is checked for exclusive access at run time, per part.
    private static func take(_ part: UnsafeBufferPointer<UInt8>, slash: Bool, from key: UnsafeBufferPointer<UInt8>, at position: inout Int) -> Bool {
        guard position + part.count + (slash ? 1 : 0) <= key.count,
              part.isEmpty || memcmp(key.baseAddress! + position, part.baseAddress!, part.count) == 0 else { return false }
        position += part.count
        if slash {
            guard key[position] == UInt8(ascii: "/") else { return false }
            position += 1
        }
        return true
    }

    private func conversionLetter(_ error: Error, table: String, _ message: KafkaMessage) -> DeadLetter {
        guard let error = error as? RowConversionError else { return letter(.conversion, "\(error)", table: table, message) }
        var dead = letter(.conversion, error.description, table: table, message)
        dead.field = error.field
        dead.value = error.value
        return dead
    }

    /// A null value deletes the key: a `_deleted` row versioned by when the delete was observed.
    private func tombstone(_ message: KafkaMessage, table: String, converter: RowConverter, encoder: ProtoRowEncoder?, work: Work) -> Outcome {
        guard let keyText = message.keyString, let key = RecordKey(parsing: keyText), key.object.lowercased() == table else {
            return .deadLetter(table: table, letter(.invalidKey, "tombstone key \(message.keyString ?? "<none>") is not <company>/<entity>/\(table.uppercased())/<RECORDNO>", table: table, message))
        }
        let header = message.header(RecordEnvelope.Header.deletedAt)?.value.map { String(decoding: $0, as: UTF8.self) }
        // Without the poller's header, the broker's timestamp is the best "when" there is.
        guard let deletedAt = header ?? message.timestamp.map(IntacctTimestamp.iso8601) else {
            return .deadLetter(table: table, letter(.invalidKey, "tombstone without \(RecordEnvelope.Header.deletedAt) header or timestamp", table: table, message))
        }
        do {
            if let encoder {
                let row = try encoder.tombstoneRow(for: key, deletedAt: deletedAt, from: KafkaCoordinates(message), loadedAtMicros: work.loadedAtMicros)
                return .row(table: table, PendingRow(row: nil, source: KafkaCoordinates(message), recordKey: keyText, original: nil,
                                                     encoded: ProtoRowEncoder.EncodedRow(bytes: row, version: encoder.version), deletedAt: deletedAt))
            }
            let row = try converter.tombstoneRow(for: key, deletedAt: deletedAt, from: KafkaCoordinates(message), loadedAtText: work.loadedAtText)
            return .row(table: table, PendingRow(row: row, source: KafkaCoordinates(message), recordKey: keyText, original: nil, deletedAt: deletedAt))
        } catch {
            return .deadLetter(table: table, conversionLetter(error, table: table, message))
        }
    }

    private func letter(_ reason: DeadLetter.Reason, _ detail: String, table: String?, _ message: KafkaMessage) -> DeadLetter {
        DeadLetter(reason: reason, detail: detail, table: table, source: KafkaCoordinates(message), key: message.key, original: message.value)
    }
}
