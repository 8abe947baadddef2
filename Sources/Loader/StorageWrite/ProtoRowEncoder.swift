import Catalog
import Foundation
import Kafka
import RecordContract
import SwiftProtobuf
import Timestamps

/// Turns a Kafka record (envelope + coordinates) into one serialized protobuf row for the Storage Write
/// API, with the columns and typing of `RowConverter`'s insertAll rows and no JSON row in between.
///
/// The row's message type exists only at run time: `descriptor` is built from the table's schema
/// (metadata columns, then the mapping's typed columns, widened ones included), field N+1 for column N,
/// and goes in the first AppendRows request of a connection. Wire forms are the ones the Write API
/// accepts for each column type: NUMERIC and BIGNUMERIC as decimal text (exact, never a float), DATE as
/// int32 days since the epoch, TIMESTAMP as int64 microseconds since the epoch, JSON as text, BOOL,
/// INT64 and FLOAT64 as themselves. A null is an absent field (every field is proto2 `optional`).
public struct ProtoRowEncoder: Sendable {
    public let mapping: ObjectMapping
    public let schema: TableSchema
    /// The writer schema for `ProtoSchema.proto_descriptor`.
    public let descriptor: Google_Protobuf_DescriptorProto
    /// Bytes `descriptor` adds to the first AppendRows request of a call.
    public let descriptorSize: Int
    /// What rows encoded here are tagged with (`EncodedRow`): the mapping they fit, behind one reference,
    /// so a row costs a pointer and a batch of rows from one encoder is checked against a table's current
    /// mapping once, not once per row.
    public let version: Version

    /// The mapping an encoder (and every row it encoded) was built for.
    public final class Version: Sendable {
        public let mapping: ObjectMapping
        init(mapping: ObjectMapping) { self.mapping = mapping }
    }

    /// One encoded row and the mapping it was encoded for: valid for a table whose mapping is still that one.
    public struct EncodedRow: Sendable {
        public let bytes: Data
        public let version: Version
    }

    private struct Column: Sendable {
        let key: ProtoWireWriter.FieldKey
        let type: IntacctFieldType
    }

    /// The mapping's columns, in mapping order; `byField` names each one's index.
    private let columns: [Column]
    private let byField: [String: Int]
    private let metadata: Metadata

    /// What a batch's rows reuse from one row to the next, so a row costs its bytes and little else:
    ///
    /// - the byte buffer each row is written into before it is copied out;
    /// - where each field of an envelope goes (an index into the encoder's columns, or `_raw`) for one
    ///   list of field names. A look-up by name hashes every name of every row; a batch's envelopes
    ///   nearly always list the same fields (the reader sorts them), so this plan is worked out once
    ///   and reused while the names match (one equality check per name, or, for envelopes read as
    ///   bytes, one pointer comparison: the scanner's `FieldLayout` of the list);
    /// - the last `whenmodified` and `extracted_at` read, with their values: a poll stamps a page's
    ///   records with one `extracted_at`, and a backfill's records often share their WHENMODIFIED.
    ///
    /// Scratch belongs to the encoder that used it first (its plan indexes that encoder's columns).
    public struct RowScratch {
        fileprivate var out = ProtoWireWriter(capacity: 1024)
        fileprivate var names: [String] = []
        /// The field list `targets` is for when it was planned from bytes (`names` is empty then).
        fileprivate var layout: FieldLayout?
        /// `-1`: not mapped, goes to `_raw`.
        fileprivate var targets: [Int] = []
        fileprivate var hasUnknown = false
        fileprivate var modified: (text: String, micros: Int64?) = ("", nil)
        fileprivate var extracted: (text: String, micros: Int64?) = ("", nil)

        public init() {}

        fileprivate func fits(_ fields: [RecordField]) -> Bool {
            guard layout == nil, names.count == fields.count else { return false }
            for index in names.indices where names[index] != fields[index].name { return false }
            return true
        }
    }

    /// The metadata columns' field keys, rendered once.
    private struct Metadata: Sendable {
        let key, entity, sourceModifiedAt, contentSHA256, kafkaTopic, kafkaPartition, kafkaOffset: ProtoWireWriter.FieldKey
        let extractedAt, loadedAt, deleted, raw: ProtoWireWriter.FieldKey
    }

    public init(mapping: ObjectMapping) {
        self.mapping = mapping
        version = Version(mapping: mapping)
        schema = mapping.schema
        descriptor = Self.descriptor(for: schema)
        descriptorSize = ((try? descriptor.serializedBytes()) as [UInt8]?)?.count ?? 0
        var numbers: [String: Int] = [:]
        for (index, column) in schema.columns.enumerated() where numbers[column.name.lowercased()] == nil {
            numbers[column.name.lowercased()] = index + 1
        }
        func key(_ column: String, _ type: ColumnType) -> ProtoWireWriter.FieldKey {
            // Every column named here is in `schema`: it is built from the same metadata list and mapping.
            ProtoWireWriter.FieldKey(number: numbers[column.lowercased()] ?? 0, wireType: Self.wireType(of: type))
        }
        metadata = Metadata(
            key: key("_key", .string), entity: key("_entity", .string),
            sourceModifiedAt: key("_source_modified_at", .timestamp), contentSHA256: key("_content_sha256", .string),
            kafkaTopic: key("_kafka_topic", .string), kafkaPartition: key("_kafka_partition", .int64),
            kafkaOffset: key("_kafka_offset", .int64), extractedAt: key("_extracted_at", .timestamp),
            loadedAt: key("_loaded_at", .timestamp), deleted: key("_deleted", .bool), raw: key("_raw", .json)
        )
        columns = mapping.fields.map { Column(key: key($0.column, $0.type.columnType), type: $0.type) }
        byField = Dictionary(mapping.fields.enumerated().map { ($1.field, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// A `DescriptorProto` for rows of `schema`: one proto2 optional field per column, numbered from 1 in
    /// column order, named as the column (the Write API matches fields to columns by name).
    public static func descriptor(for schema: TableSchema, messageName: String = "Row") -> Google_Protobuf_DescriptorProto {
        var message = Google_Protobuf_DescriptorProto()
        message.name = messageName
        var seen: Set<String> = []
        for (index, column) in schema.columns.enumerated() where seen.insert(column.name.lowercased()).inserted {
            var field = Google_Protobuf_FieldDescriptorProto()
            field.name = column.name
            field.number = Int32(index + 1)
            field.label = .optional
            field.type = protoType(of: column.type)
            message.field.append(field)
        }
        return message
    }

    /// The protobuf type each BigQuery column type is sent as.
    static func protoType(of type: ColumnType) -> Google_Protobuf_FieldDescriptorProto.TypeEnum {
        switch type {
        case .int64, .timestamp: .int64
        case .date: .int32
        case .bool: .bool
        case .float64: .double
        case .string, .numeric, .bigNumeric, .json, .other: .string
        }
    }

    private static func wireType(of type: ColumnType) -> ProtoWireWriter.WireType {
        switch protoType(of: type) {
        case .double: .fixed64
        case .string, .bytes: .lengthDelimited
        default: .varint
        }
    }

    /// The row for one record version; fields the mapping does not know go to `_raw`, as on the insertAll path.
    /// - Throws: `RowConversionError` naming the record and the field whose value does not fit its column.
    public func row(for envelope: RecordEnvelope, from coordinates: KafkaCoordinates, loadedAt: Date) throws -> Data {
        try row(for: envelope, key: envelope.key.description, from: coordinates, loadedAtMicros: Self.microseconds(loadedAt))
    }

    /// The same with the key already rendered and `_loaded_at` computed once per batch.
    public func row(for envelope: RecordEnvelope, key: String, from coordinates: KafkaCoordinates, loadedAtMicros: Int64) throws -> Data {
        var scratch = RowScratch()
        return try row(for: envelope, key: key, from: coordinates, loadedAtMicros: loadedAtMicros, reusing: &scratch)
    }

    /// The hot path: a batch's rows written one after another with one `scratch`.
    public func row(for envelope: RecordEnvelope, key: String, from coordinates: KafkaCoordinates, loadedAtMicros: Int64,
                    reusing scratch: inout RowScratch) throws -> Data {
        scratch.out.removeAll()
        if scratch.modified.text != envelope.whenModified {
            scratch.modified = (envelope.whenModified, Self.timestampMicros(envelope.whenModified))
        }
        if scratch.extracted.text != envelope.extractedAt {
            scratch.extracted = (envelope.extractedAt, Self.timestampMicros(envelope.extractedAt))
        }
        try writeMetadata(&scratch.out, key: key, entity: envelope.entity.utf8, sourceModifiedAt: envelope.whenModified,
                          sourceModifiedMicros: scratch.modified.micros, contentSHA256: envelope.contentSHA256.utf8, coordinates: coordinates,
                          extractedAtMicros: scratch.extracted.micros, loadedAtMicros: loadedAtMicros, deleted: false)
        let fields = envelope.fields
        if !scratch.fits(fields) { plan(for: fields, into: &scratch) }
        for index in fields.indices {
            let target = scratch.targets[index]
            if target >= 0 {
                try Self.write(fields[index].value, as: columns[target], into: &scratch.out, field: fields[index].name, recordKey: key)
            }
        }
        if scratch.hasUnknown {
            var raw = JSONWriter(capacity: 256)
            raw.beginObject()
            for index in fields.indices where scratch.targets[index] < 0 { raw.member(fields[index].name, fields[index].value) }
            raw.endObject()
            scratch.out.bytes(metadata.raw, raw.bytes)
        }
        return Data(scratch.out.bytes)
    }

    private func plan(for fields: [RecordField], into scratch: inout RowScratch) {
        scratch.layout = nil
        scratch.names = fields.map(\.name)
        scratch.targets = fields.map { byField[$0.name] ?? -1 }
        scratch.hasUnknown = scratch.targets.contains(-1)
    }

    /// The row for an envelope as the bytes it came in (`EnvelopeScanner`, which checked its hash): the
    /// loader's hot path. The same row as `row(for: RecordEnvelope ...)` writes for the decoded envelope,
    /// with no `String` per field: text is copied as bytes, and only typed values (dates, numbers) are
    /// read through a `String`.
    public func row(for envelope: EnvelopeBytes, key: String, from coordinates: KafkaCoordinates, loadedAtMicros: Int64,
                    reusing scratch: inout RowScratch) throws -> Data {
        scratch.out.removeAll()
        if !scratch.modified.text.utf8.elementsEqual(envelope.whenModified) {
            let text = EnvelopeBytes.string(envelope.whenModified)
            scratch.modified = (text, Self.timestampMicros(text))
        }
        if !scratch.extracted.text.utf8.elementsEqual(envelope.extractedAt) {
            let text = EnvelopeBytes.string(envelope.extractedAt)
            scratch.extracted = (text, Self.timestampMicros(text))
        }
        try writeMetadata(&scratch.out, key: key, entity: envelope.entity, sourceModifiedAt: scratch.modified.text,
                          sourceModifiedMicros: scratch.modified.micros, contentSHA256: envelope.contentSHA256, coordinates: coordinates,
                          extractedAtMicros: scratch.extracted.micros, loadedAtMicros: loadedAtMicros, deleted: false)
        if scratch.layout !== envelope.layout {
            scratch.layout = envelope.layout
            scratch.names = []
            scratch.targets = (0..<envelope.fieldCount).map { byField[EnvelopeBytes.string(envelope.name($0))] ?? -1 }
            scratch.hasUnknown = scratch.targets.contains(-1)
        }
        for index in 0..<envelope.fieldCount {
            let target = scratch.targets[index]
            let value = envelope.value(index)
            // Empty is null (an absent field), whatever the type, as `ColumnValue` reads it.
            guard target >= 0, !value.isEmpty else { continue }
            let column = columns[target]
            switch column.type {
            case .text, .enumeration:
                scratch.out.bytes(column.key, value)
            default:
                do {
                    try Self.write(EnvelopeBytes.string(value), as: column, into: &scratch.out, field: "", recordKey: key)
                } catch var error as RowConversionError {
                    // The name is made only for the error: most values are good.
                    error.field = EnvelopeBytes.string(envelope.name(index))
                    throw error
                }
            }
        }
        if scratch.hasUnknown {
            var raw = JSONWriter(capacity: 256)
            raw.beginObject()
            for index in 0..<envelope.fieldCount where scratch.targets[index] < 0 {
                raw.member(EnvelopeBytes.string(envelope.name(index)), EnvelopeBytes.string(envelope.value(index)))
            }
            raw.endObject()
            scratch.out.bytes(metadata.raw, raw.bytes)
        }
        return Data(scratch.out.bytes)
    }

    /// The row for a tombstone: the key, the record number, `_deleted = true` when the delete was seen.
    public func tombstoneRow(for key: RecordKey, deletedAt: String, from coordinates: KafkaCoordinates, loadedAt: Date) throws -> Data {
        try tombstoneRow(for: key, deletedAt: deletedAt, from: coordinates, loadedAtMicros: Self.microseconds(loadedAt))
    }

    public func tombstoneRow(for key: RecordKey, deletedAt: String, from coordinates: KafkaCoordinates, loadedAtMicros: Int64) throws -> Data {
        var out = ProtoWireWriter(capacity: 256)
        let rendered = key.description
        try writeMetadata(&out, key: rendered, entity: key.entity.utf8, sourceModifiedAt: deletedAt, sourceModifiedMicros: Self.timestampMicros(deletedAt),
                          contentSHA256: String.UTF8View?.none, coordinates: coordinates, extractedAtMicros: nil, loadedAtMicros: loadedAtMicros, deleted: true)
        if let target = byField["RECORDNO"] ?? byField["ID"] {
            try Self.write(key.recordNo, as: columns[target], into: &out, field: mapping.fields[target].field, recordKey: rendered)
        }
        return Data(out.bytes)
    }

    private func writeMetadata(
        _ out: inout ProtoWireWriter, key: String, entity: some Collection<UInt8>, sourceModifiedAt: String, sourceModifiedMicros: Int64?,
        contentSHA256: (some Collection<UInt8>)?, coordinates: KafkaCoordinates, extractedAtMicros: Int64?, loadedAtMicros: Int64, deleted: Bool
    ) throws {
        out.string(metadata.key, key)
        out.bytes(metadata.entity, entity)
        // No stamp (objects read as snapshots have no WHENMODIFIED) is NULL, as on the insertAll path. A
        // stamp that does not parse is refused by name: the Write API would store it as NULL too, where
        // insertAll has BigQuery refuse the row, and a wrong version sorts wrongly in `_current`.
        if !sourceModifiedAt.isEmpty {
            guard let micros = sourceModifiedMicros else {
                throw RowConversionError(recordKey: key, field: deleted ? RecordEnvelope.Header.deletedAt : "WHENMODIFIED", value: sourceModifiedAt,
                                         expected: .timestamp, reason: "the row's version (_source_modified_at) must be a timestamp")
            }
            out.int64(metadata.sourceModifiedAt, micros)
        }
        if let contentSHA256 { out.bytes(metadata.contentSHA256, contentSHA256) }
        out.string(metadata.kafkaTopic, coordinates.topic)
        out.int64(metadata.kafkaPartition, Int64(coordinates.partition))
        out.int64(metadata.kafkaOffset, coordinates.offset)
        if let micros = extractedAtMicros { out.int64(metadata.extractedAt, micros) }
        out.int64(metadata.loadedAt, loadedAtMicros)
        out.bool(metadata.deleted, deleted)
    }

    private static func write(_ value: String, as column: Column, into out: inout ProtoWireWriter, field: String, recordKey: String) throws {
        // Dates and timestamps go straight from Intacct's text to the number the Write API takes; the
        // shared typing (`ColumnValue`) renders BigQuery's text first, which this path would only read
        // back. Anything the direct read does not take goes through `ColumnValue`, so acceptance and
        // errors stay the insertAll path's.
        switch column.type {
        case .timestamp:
            if let micros = timestampMicros(value) {
                out.int64(column.key, micros)
                return
            }
        case .date:
            if let days = intacctDateDays(value) {
                out.int64(column.key, Int64(days))
                return
            }
        default:
            break
        }
        let typed = try ColumnValue.parse(value, as: column.type, field: field, recordKey: recordKey)
        switch typed {
        case .null: break
        case let .text(text), let .decimal(text): out.string(column.key, text)
        case let .integer(number): out.int64(column.key, number)
        case let .boolean(flag): out.bool(column.key, flag)
        case let .date(iso):
            guard let days = epochDays(iso) else {
                throw RowConversionError(recordKey: recordKey, field: field, value: value, expected: column.type, reason: "date out of range")
            }
            out.int64(column.key, Int64(days))
        case .timestamp:
            guard let micros = timestampMicros(value) else {
                throw RowConversionError(recordKey: recordKey, field: field, value: value, expected: column.type, reason: "timestamp out of range")
            }
            out.int64(column.key, micros)
        }
    }

    /// Days since 1970-01-01 of Intacct's `MM/DD/YYYY`, read as `ColumnValue` reads a DATE; nil for
    /// anything else (a timestamp layout included: a DATE column does not take one).
    static func intacctDateDays(_ text: String) -> Int32? {
        guard text.utf8.count == 10, let seconds = IntacctTimestamp.epochSeconds(fromIntacct: text) else { return nil }
        // Midnight of the day, so the division is exact whichever side of 1970 it falls.
        return Int32(exactly: seconds / 86_400)
    }

    /// Days since 1970-01-01 of `YYYY-MM-DD` (already checked by `ColumnValue`).
    static func epochDays(_ iso: String) -> Int32? {
        let bytes = Array(iso.utf8)
        guard bytes.count == 10 else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return nil }
        return Int32(exactly: CivilDate.days(year: year, month: month, day: day))
    }

    /// Microseconds since the epoch of a timestamp the insertAll path would send: Intacct's form (read
    /// as UTC, as `ColumnValue.timestamp` does) or RFC 3339 text. Read straight to a number rather than
    /// through `ColumnValue.timestamp`'s RFC 3339 text: the same acceptance, without a string per stamp.
    static func timestampMicros(_ text: String) -> Int64? {
        if let seconds = IntacctTimestamp.epochSeconds(fromIntacct: text) { return seconds * 1_000_000 }
        guard IntacctTimestamp.hasRFC3339Layout(text), let date = IntacctTimestamp.parseRFC3339(text) else { return nil }
        return microseconds(date)
    }

    public static func microseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }
}
