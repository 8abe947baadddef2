import Foundation
import Shared

/// Turns a Kafka record (envelope + coordinates) into one insertAll row of its object's table.
///
/// Values are checked here, before sending, because BigQuery rejects a whole request for one bad row
/// (and the emulator answers HTTP 500): catching `TOTALENTERED = "12x.00"` here names the field, value
/// and key, and the rest of the batch goes through. NUMERIC values are validated as decimal text and
/// sent as JSON strings, never through `Double`; INT64 as strings too (JSON numbers lose precision past
/// 2^53 in many parsers).
public struct RowConverter: Sendable {
    public let mapping: ObjectMapping
    private let byField: [String: FieldMapping]

    public init(mapping: ObjectMapping) {
        self.mapping = mapping
        byField = Dictionary(mapping.fields.map { ($0.field, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The row for one record version. Fields the mapping does not know go to `_raw` (a JSON object of
    /// their strings), so nothing Intacct sent is lost before the mapping learns them.
    public func row(for envelope: RecordEnvelope, from coordinates: KafkaCoordinates, loadedAt: Date = Date()) throws -> InsertAllRow {
        let key = envelope.key.description
        var out = JSONWriter(capacity: 1024)
        out.beginObject()
        writeMetadata(&out, key: key, entity: envelope.entity, sourceModifiedAt: envelope.whenModified,
                      contentSHA256: envelope.contentSHA256, coordinates: coordinates,
                      extractedAt: envelope.extractedAt, loadedAt: loadedAt, deleted: false)
        var unknown: [RecordField] = []
        for field in envelope.fields {
            guard let target = byField[field.name] else {
                unknown.append(field)
                continue
            }
            out.key(target.column)
            try Self.write(field.value, as: target.type, into: &out, field: field.name, recordKey: key)
        }
        out.key("_raw")
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
        return InsertAllRow(insertID: InsertID.forVersion(of: envelope), json: out.data)
    }

    /// The row for a tombstone (a Kafka message with a null value): the key, the record number, and
    /// `_deleted = true` at the moment the delete was observed, so the `_current` view drops the key.
    public func tombstoneRow(for key: RecordKey, deletedAt: String, from coordinates: KafkaCoordinates, loadedAt: Date = Date()) throws -> InsertAllRow {
        var out = JSONWriter(capacity: 512)
        out.beginObject()
        writeMetadata(&out, key: key.description, entity: key.entity, sourceModifiedAt: deletedAt, contentSHA256: nil,
                      coordinates: coordinates, extractedAt: nil, loadedAt: loadedAt, deleted: true)
        let keyField = mapping.field(named: "RECORDNO") ?? mapping.field(named: "ID")
        if let keyField {
            out.key(keyField.column)
            try Self.write(key.recordNo, as: keyField.type, into: &out, field: keyField.field, recordKey: key.description)
        }
        out.key("_raw")
        out.null()
        out.endObject()
        return InsertAllRow(insertID: InsertID.forTombstone(key: key.description, deletedAt: deletedAt), json: out.data)
    }

    private func writeMetadata(
        _ out: inout JSONWriter, key: String, entity: String, sourceModifiedAt: String, contentSHA256: String?,
        coordinates: KafkaCoordinates, extractedAt: String?, loadedAt: Date, deleted: Bool
    ) {
        out.member("_key", key)
        out.member("_entity", entity)
        out.key("_source_modified_at")
        if let stamp = Self.timestamp(sourceModifiedAt) { out.string(stamp) } else { out.null() }
        out.key("_content_sha256")
        if let contentSHA256 { out.string(contentSHA256) } else { out.null() }
        out.member("_kafka_topic", coordinates.topic)
        out.key("_kafka_partition")
        out.raw(String(coordinates.partition))
        out.key("_kafka_offset")
        out.raw(String(coordinates.offset))
        out.key("_extracted_at")
        if let stamp = extractedAt.flatMap(Self.timestamp) { out.string(stamp) } else { out.null() }
        out.member("_loaded_at", Self.microsecondTimestamp(loadedAt))
        out.key("_deleted")
        out.raw(deleted ? "true" : "false")
    }

    /// Writes one Intacct string as its column's JSON. Empty means null: Intacct sends nulls as empty elements.
    static func write(_ value: String, as type: IntacctFieldType, into out: inout JSONWriter, field: String, recordKey: String) throws {
        if value.isEmpty {
            out.null()
            return
        }
        func failure(_ reason: String) -> RowConversionError {
            RowConversionError(recordKey: recordKey, field: field, value: value, expected: type, reason: reason)
        }
        switch type {
        case .text, .enumeration:
            out.string(value)
        case .integer:
            guard let number = Int64(trimmedIfNeeded(value)) else { throw failure("not a 64-bit integer") }
            out.string(String(number))
        case .decimal, .percent:
            out.string(try numeric(trimmedIfNeeded(value), failure))
        case .boolean:
            switch value.lowercased() {
            case "true", "t", "1", "yes": out.raw("true")
            case "false", "f", "0", "no": out.raw("false")
            default: throw failure("expected true or false")
            }
        case .date:
            if let iso = RFC3339Text.date(fromIntacct: value) {
                out.string(iso)
            } else if Self.isISODate(value) {
                out.string(value)
            } else {
                throw failure("expected MM/DD/YYYY")
            }
        case .timestamp:
            guard let stamp = timestamp(value) else { throw failure("expected MM/DD/YYYY HH:MM:SS") }
            out.string(stamp)
        }
    }

    /// NUMERIC holds 29 integer and 9 fractional digits; the value is checked as text and passed on as text.
    static func numeric(_ text: String, _ failure: (String) -> RowConversionError) throws -> String {
        var digits = Substring(text)
        if digits.hasPrefix("-") || digits.hasPrefix("+") { digits = digits.dropFirst() }
        let parts = digits.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty || (parts.count == 2 && !parts[1].isEmpty),
              parts.allSatisfy({ $0.utf8.allSatisfy { (48...57).contains($0) } })
        else { throw failure("not a decimal number") }
        if whole.drop(while: { $0 == "0" }).count > 29 { throw failure("more than 29 integer digits") }
        if parts.count == 2 && parts[1].count > 9 { throw failure("more than 9 fractional digits") }
        return text.hasPrefix("+") ? String(text.dropFirst()) : text
    }

    /// Intacct `MM/DD/YYYY HH:MM:SS` (or a date) or an RFC 3339 string as RFC 3339 UTC; `nil` if neither.
    static func timestamp(_ text: String) -> String? {
        if text.isEmpty { return nil }
        if let stamp = RFC3339Text.timestamp(fromIntacct: text) { return stamp }
        if isRFC3339(text) { return text }
        return nil
    }

    static func microsecondTimestamp(_ date: Date) -> String { RFC3339Text.microseconds(date) }

    /// Trims spaces only when there are any: Foundation's `trimmingCharacters` bridges through NSString
    /// and cost more than the conversion itself on the hot path.
    private static func trimmedIfNeeded(_ value: String) -> String {
        guard let first = value.utf8.first, let last = value.utf8.last, first == 32 || last == 32 || first == 9 || last == 9 else { return value }
        return value.trimmingCharacters(in: .whitespaces)
    }

    private static func isISODate(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == 45, bytes[7] == 45 else { return false }
        return bytes.enumerated().allSatisfy { $0.offset == 4 || $0.offset == 7 || (48...57).contains($0.element) }
    }

    private static func isRFC3339(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, isISODate(String(decoding: bytes[0..<10], as: UTF8.self)), bytes[10] == 84 /* T */ else { return false }
        return bytes.last == 90 /* Z */ || text.dropFirst(19).contains("+") || text.dropFirst(19).contains("-")
    }
}
