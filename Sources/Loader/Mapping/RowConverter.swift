import Kafka
import Foundation
import Catalog
import RecordContract
import Timestamps

/// Turns a Kafka record (envelope + coordinates) into one insertAll row of its object's table.
///
/// Values are checked here, before sending, because BigQuery rejects a whole request for one bad row
/// (and the emulator answers HTTP 500): catching `TOTALENTERED = "12x.00"` here names the field, value
/// and key, and the rest of the batch goes through. NUMERIC values are validated as decimal text and
/// sent as JSON strings, never through `Double`; INT64 as strings too (JSON numbers lose precision past
/// 2^53 in many parsers).
public struct RowConverter: Sendable {
    public let mapping: ObjectMapping
    /// Each mapped field with its column's `"name":` rendered once.
    private let byField: [String: (mapping: FieldMapping, key: RowWriter.ColumnKey)]

    public init(mapping: ObjectMapping) {
        self.mapping = mapping
        byField = Dictionary(mapping.fields.map { ($0.field, ($0, RowWriter.ColumnKey($0.column))) }, uniquingKeysWith: { first, _ in first })
    }

    /// The metadata columns' names, rendered once.
    private enum Metadata {
        static let key = RowWriter.ColumnKey("_key")
        static let entity = RowWriter.ColumnKey("_entity")
        static let sourceModifiedAt = RowWriter.ColumnKey("_source_modified_at")
        static let contentSHA256 = RowWriter.ColumnKey("_content_sha256")
        static let kafkaTopic = RowWriter.ColumnKey("_kafka_topic")
        static let kafkaPartition = RowWriter.ColumnKey("_kafka_partition")
        static let kafkaOffset = RowWriter.ColumnKey("_kafka_offset")
        static let extractedAt = RowWriter.ColumnKey("_extracted_at")
        static let loadedAt = RowWriter.ColumnKey("_loaded_at")
        static let deleted = RowWriter.ColumnKey("_deleted")
        static let raw = RowWriter.ColumnKey("_raw")
    }

    /// The row for one record version. Fields the mapping does not know go to `_raw` (a JSON object of
    /// their strings), so nothing Intacct sent is lost before the mapping learns them.
    public func row(for envelope: RecordEnvelope, from coordinates: KafkaCoordinates, loadedAt: Date = Date()) throws -> InsertAllRow {
        try row(for: envelope, key: envelope.key.description, from: coordinates, loadedAtText: Self.microsecondTimestamp(loadedAt))
    }

    /// The same, for the router's hot path: the key already rendered (and checked against the message's),
    /// `_loaded_at` rendered once per poll.
    func row(for envelope: RecordEnvelope, key: String, from coordinates: KafkaCoordinates, loadedAtText: String) throws -> InsertAllRow {
        var out = RowWriter(capacity: 1024)
        out.beginObject()
        writeMetadata(&out, key: key, entity: envelope.entity, sourceModifiedAt: envelope.whenModified,
                      contentSHA256: envelope.contentSHA256, coordinates: coordinates,
                      extractedAt: envelope.extractedAt, loadedAtText: loadedAtText, deleted: false)
        var unknown: [RecordField] = []
        for field in envelope.fields {
            guard let target = byField[field.name] else {
                unknown.append(field)
                continue
            }
            out.key(target.key)
            try Self.write(field.value, as: target.mapping.type, into: &out, field: field.name, recordKey: key)
        }
        out.key(Metadata.raw)
        if unknown.isEmpty {
            out.null()
        } else {
            var raw = JSONWriter(capacity: 256)
            raw.beginObject()
            for field in unknown { raw.member(field.name, field.value) }
            raw.endObject()
            out.string(String(decoding: raw.bytes, as: UTF8.self))
        }
        out.endObject()
        return InsertAllRow(insertID: InsertID.forVersion(key: key, whenModified: envelope.whenModified, contentSHA256: envelope.contentSHA256),
                            json: out.data)
    }

    /// The row for a tombstone (a Kafka message with a null value): the key, the record number, and
    /// `_deleted = true` at the moment the delete was observed, so the `_current` view drops the key.
    public func tombstoneRow(for key: RecordKey, deletedAt: String, from coordinates: KafkaCoordinates, loadedAt: Date = Date()) throws -> InsertAllRow {
        try tombstoneRow(for: key, deletedAt: deletedAt, from: coordinates, loadedAtText: Self.microsecondTimestamp(loadedAt))
    }

    func tombstoneRow(for key: RecordKey, deletedAt: String, from coordinates: KafkaCoordinates, loadedAtText: String) throws -> InsertAllRow {
        var out = RowWriter(capacity: 512)
        out.beginObject()
        writeMetadata(&out, key: key.description, entity: key.entity, sourceModifiedAt: deletedAt, contentSHA256: nil,
                      coordinates: coordinates, extractedAt: nil, loadedAtText: loadedAtText, deleted: true)
        let keyField = mapping.field(named: "RECORDNO") ?? mapping.field(named: "ID")
        if let keyField {
            out.key(keyField.column)
            try Self.write(key.recordNo, as: keyField.type, into: &out, field: keyField.field, recordKey: key.description)
        }
        out.key(Metadata.raw)
        out.null()
        out.endObject()
        return InsertAllRow(insertID: InsertID.forTombstone(key: key.description, deletedAt: deletedAt), json: out.data)
    }

    private func writeMetadata(
        _ out: inout RowWriter, key: String, entity: String, sourceModifiedAt: String, contentSHA256: String?,
        coordinates: KafkaCoordinates, extractedAt: String?, loadedAtText: String, deleted: Bool
    ) {
        out.member(Metadata.key, key)
        out.member(Metadata.entity, entity)
        out.key(Metadata.sourceModifiedAt)
        if let stamp = Self.timestamp(sourceModifiedAt) { out.string(stamp) } else { out.null() }
        out.key(Metadata.contentSHA256)
        if let contentSHA256 { out.string(contentSHA256) } else { out.null() }
        out.member(Metadata.kafkaTopic, coordinates.topic)
        out.key(Metadata.kafkaPartition)
        out.raw(String(coordinates.partition))
        out.key(Metadata.kafkaOffset)
        out.raw(String(coordinates.offset))
        out.key(Metadata.extractedAt)
        if let stamp = extractedAt.flatMap(Self.timestamp) { out.string(stamp) } else { out.null() }
        out.member(Metadata.loadedAt, loadedAtText)
        out.key(Metadata.deleted)
        out.raw(deleted ? "true" : "false")
    }

    /// Writes one Intacct string as its column's JSON (typed by `ColumnValue`, which the Storage Write
    /// path shares).
    static func write(_ value: String, as type: IntacctFieldType, into out: inout RowWriter, field: String, recordKey: String) throws {
        switch try ColumnValue.parse(value, as: type, field: field, recordKey: recordKey) {
        case .null: out.null()
        case let .text(text): out.string(text)
        case let .integer(number): out.string(String(number))
        case let .decimal(text): out.string(text)
        case let .boolean(flag): out.raw(flag ? "true" : "false")
        case let .date(iso): out.string(iso)
        case let .timestamp(stamp): out.string(stamp)
        }
    }

    static func timestamp(_ text: String) -> String? { ColumnValue.timestamp(text) }

    static func microsecondTimestamp(_ date: Date) -> String { IntacctTimestamp.rfc3339Microseconds(date) }
}
