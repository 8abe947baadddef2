import Catalog
import Foundation
import Kafka
import RecordContract
import Timestamps

/// Turns a Kafka record (envelope + coordinates) into one serialized protobuf row for the Storage Write
/// API, with the columns and typing of `RowConverter`'s insertAll rows and no JSON row in between.
///
/// The row's message type exists only at run time: field N+1 for column N of the table's schema
/// (metadata columns, then the mapping's typed columns, widened ones included), typed by
/// `fieldType(of:)`; the StorageWrite module builds its descriptor, which goes in the first AppendRows
/// request of a call. Wire forms are the ones the Write API accepts for each column type: NUMERIC and
/// BIGNUMERIC as decimal text (exact, never a float), DATE as int32 days since the epoch, TIMESTAMP as
/// int64 microseconds since the epoch, JSON as text, BOOL, INT64 and FLOAT64 as themselves. A null is an
/// absent field (every field is proto2 `optional`).
///
/// A class: the router's destinations and the sink hold one reference per table, not a copy of the
/// mapping and schema per message.
public final class ProtoRowEncoder: Sendable {
    public let mapping: ObjectMapping
    public let schema: TableSchema
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
    ///   nearly always list the same fields, so this plan is worked out once per list and reused while
    ///   the scanner hands the same `FieldLayout` (one pointer comparison);
    /// - the last `whenmodified` and `extracted_at` read, with their values: a poll stamps a page's
    ///   records with one `extracted_at`, and a backfill's records often share their WHENMODIFIED.
    ///
    /// Scratch belongs to the encoder that used it first (its plan indexes that encoder's columns).
    public struct RowScratch {
        fileprivate var out = ProtoWireWriter(capacity: 1024)
        /// The field list `targets` is for.
        fileprivate var layout: FieldLayout?
        /// `-1`: not mapped, goes to `_raw`.
        fileprivate var targets: [Int] = []
        fileprivate var hasUnknown = false
        fileprivate var modified = Stamp()
        fileprivate var extracted = Stamp()

        public init() {}
    }

    /// A stamp's bytes and microseconds, read again only when the bytes differ from the last ones.
    fileprivate struct Stamp {
        private var text: [UInt8] = []
        private(set) var micros: Int64?

        mutating func read(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
            let same = text.withUnsafeBufferPointer { ProtoRowEncoder.equal($0, bytes) }
            if !same {
                text.removeAll(keepingCapacity: true)
                text.append(contentsOf: bytes)
                micros = ProtoRowEncoder.timestampMicros(bytes)
            }
            return micros
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

    /// The protobuf scalar types rows are written in; the writer schema (the StorageWrite module's
    /// `ProtoRowEncoder.descriptor`) declares each column with the one `fieldType(of:)` names.
    package enum FieldType: Sendable {
        case int64, int32, bool, double, string
    }

    /// The protobuf type each BigQuery column type is sent as.
    package static func fieldType(of type: ColumnType) -> FieldType {
        switch type {
        case .int64, .timestamp: .int64
        case .date: .int32
        case .bool: .bool
        case .float64: .double
        case .string, .numeric, .bigNumeric, .json, .other: .string
        }
    }

    private static func wireType(of type: ColumnType) -> ProtoWireWriter.WireType {
        switch fieldType(of: type) {
        case .double: .fixed64
        case .string: .lengthDelimited
        case .int64, .int32, .bool: .varint
        }
    }

    /// The row for a decoded envelope, for callers off the hot path (tests, tools): its bytes
    /// (`RecordEnvelope.encoded`) read and written as the loader writes a message, so there is one row
    /// writer and whatever tests it tests the loader's.
    /// - Throws: `RowConversionError` naming the record and the field whose value does not fit its column.
    public func row(for envelope: RecordEnvelope, from coordinates: KafkaCoordinates, loadedAt: Date) throws -> Data {
        try row(for: envelope, key: envelope.key.description, from: coordinates, loadedAtMicros: Self.microseconds(loadedAt))
    }

    /// The same with the key already rendered and `_loaded_at` computed.
    public func row(for envelope: RecordEnvelope, key: String, from coordinates: KafkaCoordinates, loadedAtMicros: Int64) throws -> Data {
        var scanner = EnvelopeScanner()
        var scratch = RowScratch()
        return try scanner.read(envelope.encoded()) {
            try row(for: $0, key: key.utf8, from: coordinates, loadedAtMicros: loadedAtMicros, reusing: &scratch)
        }
    }

    /// The row for an envelope as the bytes it came in (`EnvelopeScanner`, which checked its hash): the
    /// loader's hot path, a batch's rows written one after another with one `scratch`. Fields the
    /// mapping does not know go to `_raw`, as on the insertAll path. No `String` per field: text is
    /// copied as bytes and typed values (dates, timestamps, numbers, flags) are read from the bytes;
    /// only a value that read does not take goes through `ColumnValue` as a `String`, so acceptance
    /// and errors stay the insertAll path's.
    /// `key` is the record key's UTF-8 (the Kafka key's bytes, on the hot path).
    /// - Throws: `RowConversionError` naming the record and the field whose value does not fit its column.
    public func row(for envelope: EnvelopeBytes, key: some Collection<UInt8>, from coordinates: KafkaCoordinates, loadedAtMicros: Int64,
                    reusing scratch: inout RowScratch) throws -> Data {
        scratch.out.removeAll()
        let modifiedMicros = scratch.modified.read(envelope.whenModified)
        let extractedMicros = scratch.extracted.read(envelope.extractedAt)
        try writeMetadata(&scratch.out, key: key, entity: envelope.entity, sourceModifiedAt: envelope.whenModified,
                          sourceModifiedMicros: modifiedMicros, contentSHA256: envelope.contentSHA256, coordinates: coordinates,
                          extractedAtMicros: extractedMicros, loadedAtMicros: loadedAtMicros, deleted: false)
        if scratch.layout !== envelope.layout {
            scratch.layout = envelope.layout
            scratch.targets = (0..<envelope.fieldCount).map { byField[EnvelopeBytes.string(envelope.name($0))] ?? -1 }
            scratch.hasUnknown = scratch.targets.contains(-1)
        }
        for index in 0..<envelope.fieldCount {
            let target = scratch.targets[index]
            let value = envelope.value(index)
            // Empty is null (an absent field), whatever the type, as `ColumnValue` reads it.
            guard target >= 0, !value.isEmpty else { continue }
            let column = columns[target]
            if Self.writeDirectly(value, as: column, into: &scratch.out) { continue }
            do {
                try Self.write(EnvelopeBytes.string(value), as: column, into: &scratch.out, field: "", recordKey: String(decoding: key, as: UTF8.self))
            } catch var error as RowConversionError {
                // The name is made only for the error: most values are good.
                error.field = EnvelopeBytes.string(envelope.name(index))
                throw error
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

    /// Writes a (non-empty) value as its column's type straight from its bytes when it is in the form
    /// Intacct sends — text, `MM/DD/YYYY`, `MM/DD/YYYY HH:MM:SS`, RFC 3339, `-?digits`, plain decimal
    /// text, `true`/`false` — and says whether it did. Each read takes a subset of what `ColumnValue`
    /// takes and writes what `write` would, so anything else (and every error) is left to `write`.
    private static func writeDirectly(_ value: UnsafeBufferPointer<UInt8>, as column: Column, into out: inout ProtoWireWriter) -> Bool {
        switch column.type {
        case .text, .enumeration:
            out.bytes(column.key, value)
        case .timestamp:
            guard let micros = timestampMicros(value) else { return false }
            out.int64(column.key, micros)
        case .date:
            guard let days = intacctDateDays(value) else { return false }
            out.int64(column.key, Int64(days))
        case .integer:
            guard let number = integer(value) else { return false }
            out.int64(column.key, number)
        case .decimal, .percent:
            // A leading `+` is dropped by `ColumnValue`; anything to trim fails the check.
            guard value[0] != UInt8(ascii: "+"), ColumnValue.numericFault(value) == nil else { return false }
            out.bytes(column.key, value)
        case .boolean:
            if equal(value, "true") {
                out.bool(column.key, true)
            } else if equal(value, "false") {
                out.bool(column.key, false)
            } else {
                return false
            }
        }
        return true
    }

    /// `-?digits` as an Int64, nil for anything else or an overflow (`Int64(String)` takes those or refuses them).
    private static func integer(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        let negative = bytes.first == UInt8(ascii: "-")
        let digits = UnsafeBufferPointer(rebasing: bytes[(negative ? 1 : 0)...])
        guard !digits.isEmpty else { return nil }
        var number: Int64 = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (times10, overflow) = number.multipliedReportingOverflow(by: 10)
            // Built on the negative side, which reaches Int64.min.
            let (next, under) = times10.subtractingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
            guard !overflow, !under else { return nil }
            number = next
        }
        if negative { return number }
        return number == .min ? nil : -number
    }

    fileprivate static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        a.count == b.count && (a.isEmpty || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0)
    }

    private static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ literal: StaticString) -> Bool {
        bytes.count == literal.utf8CodeUnitCount && memcmp(bytes.baseAddress!, literal.utf8Start, bytes.count) == 0
    }

    /// The row for a tombstone: the key, the record number, `_deleted = true` when the delete was seen.
    public func tombstoneRow(for key: RecordKey, deletedAt: String, from coordinates: KafkaCoordinates, loadedAt: Date) throws -> Data {
        try tombstoneRow(for: key, deletedAt: deletedAt, from: coordinates, loadedAtMicros: Self.microseconds(loadedAt))
    }

    public func tombstoneRow(for key: RecordKey, deletedAt: String, from coordinates: KafkaCoordinates, loadedAtMicros: Int64) throws -> Data {
        var out = ProtoWireWriter(capacity: 256)
        let rendered = key.description
        var deletedAt = deletedAt
        try deletedAt.withUTF8 { deletedAt in
            try writeMetadata(&out, key: rendered.utf8, entity: key.entity.utf8, sourceModifiedAt: deletedAt, sourceModifiedMicros: Self.timestampMicros(deletedAt),
                              contentSHA256: String.UTF8View?.none, coordinates: coordinates, extractedAtMicros: nil, loadedAtMicros: loadedAtMicros, deleted: true)
        }
        if let target = byField["RECORDNO"] ?? byField["ID"] {
            try Self.write(key.recordNo, as: columns[target], into: &out, field: mapping.fields[target].field, recordKey: rendered)
        }
        return Data(out.bytes)
    }

    private func writeMetadata(
        _ out: inout ProtoWireWriter, key: some Collection<UInt8>, entity: some Collection<UInt8>, sourceModifiedAt: UnsafeBufferPointer<UInt8>, sourceModifiedMicros: Int64?,
        contentSHA256: (some Collection<UInt8>)?, coordinates: KafkaCoordinates, extractedAtMicros: Int64?, loadedAtMicros: Int64, deleted: Bool
    ) throws {
        out.bytes(metadata.key, key)
        out.bytes(metadata.entity, entity)
        // No stamp (objects read as snapshots have no WHENMODIFIED) is NULL, as on the insertAll path. A
        // stamp that does not parse is refused by name: the Write API would store it as NULL too, where
        // insertAll has BigQuery refuse the row, and a wrong version sorts wrongly in `_current`.
        if !sourceModifiedAt.isEmpty {
            guard let micros = sourceModifiedMicros else {
                throw RowConversionError(recordKey: String(decoding: key, as: UTF8.self), field: deleted ? RecordEnvelope.Header.deletedAt : "WHENMODIFIED", value: EnvelopeBytes.string(sourceModifiedAt),
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
        // The shared typing, for what `writeDirectly` does not take (and tombstones' record numbers):
        // acceptance and errors as on the insertAll path.
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
    static func intacctDateDays(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32? {
        guard bytes.count == 10, let seconds = IntacctTimestamp.epochSeconds(fromIntacct: bytes) else { return nil }
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
    static func timestampMicros(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        if let seconds = IntacctTimestamp.epochSeconds(fromIntacct: bytes) { return seconds * 1_000_000 }
        guard IntacctTimestamp.hasRFC3339Layout(bytes), let date = IntacctTimestamp.parseRFC3339(bytes) else { return nil }
        return microseconds(date)
    }

    static func timestampMicros(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { timestampMicros($0) }
    }

    public static func microseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }
}
