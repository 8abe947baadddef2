import Catalog
import Foundation
import Timestamps

/// One Intacct string read as its column's type. Both row writers — insertAll's JSON (`RowConverter`) and
/// the Storage Write API's protobuf (`ProtoRowEncoder`) — type values here, so a value one path accepts
/// the other accepts too, and a bad one fails with the same `RowConversionError` on either path.
enum ColumnValue: Equatable {
    /// Intacct sends nulls as empty elements.
    case null
    case text(String)
    case integer(Int64)
    /// Checked decimal text (NUMERIC: 29 integer and 9 fractional digits); never through a float.
    case decimal(String)
    case boolean(Bool)
    /// `YYYY-MM-DD`.
    case date(String)
    /// RFC 3339, as BigQuery reads it.
    case timestamp(String)

    static func parse(_ value: String, as type: IntacctFieldType, field: String, recordKey: String) throws -> ColumnValue {
        if value.isEmpty { return .null }
        func failure(_ reason: String) -> RowConversionError {
            RowConversionError(recordKey: recordKey, field: field, value: value, expected: type, reason: reason)
        }
        switch type {
        case .text, .enumeration:
            return .text(value)
        case .integer:
            guard let number = Int64(trimmedIfNeeded(value)) else { throw failure("not a 64-bit integer") }
            return .integer(number)
        case .decimal, .percent:
            return .decimal(try numeric(trimmedIfNeeded(value), failure))
        case .boolean:
            switch value.lowercased() {
            case "true", "t", "1", "yes": return .boolean(true)
            case "false", "f", "0", "no": return .boolean(false)
            default: throw failure("expected true or false")
            }
        case .date:
            if let iso = IntacctTimestamp.isoDate(fromIntacct: value) { return .date(iso) }
            if IntacctTimestamp.isISODate(value) { return .date(value) }
            throw failure("expected MM/DD/YYYY")
        case .timestamp:
            guard let stamp = timestamp(value) else { throw failure("expected MM/DD/YYYY HH:MM:SS") }
            return .timestamp(stamp)
        }
    }

    /// NUMERIC holds 29 integer and 9 fractional digits; the value is checked as text and passed on as text.
    static func numeric(_ text: String, _ failure: (String) -> RowConversionError) throws -> String {
        var text = text
        if let reason = text.withUTF8(numericFault) { throw failure(reason) }
        return text.utf8.first == UInt8(ascii: "+") ? String(text.dropFirst()) : text
    }

    /// Why `utf8` is not NUMERIC text, or nil if it is. One pass over the bytes: `[+-]digits[.digits]`,
    /// at least one digit on one side of the point. Over bytes, so the Storage Write path checks a
    /// message's value where it lies.
    static func numericFault(_ utf8: UnsafeBufferPointer<UInt8>) -> String? {
        var wholeDigits = 0, significantWholeDigits = 0, fractionDigits = 0
        var sawPoint = false
        for (offset, byte) in utf8.enumerated() {
            switch byte {
            case UInt8(ascii: "-") where offset == 0, UInt8(ascii: "+") where offset == 0: continue
            case UInt8(ascii: ".") where !sawPoint: sawPoint = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if sawPoint {
                    fractionDigits += 1
                } else {
                    wholeDigits += 1
                    if significantWholeDigits > 0 || byte != UInt8(ascii: "0") { significantWholeDigits += 1 }
                }
            default: return "not a decimal number"
            }
        }
        guard wholeDigits > 0 || fractionDigits > 0 else { return "not a decimal number" }
        if significantWholeDigits > 29 { return "more than 29 integer digits" }
        if fractionDigits > 9 { return "more than 9 fractional digits" }
        return nil
    }

    /// Intacct `MM/DD/YYYY HH:MM:SS` (or a date) as RFC 3339 UTC, or RFC 3339 text as it is (BigQuery
    /// reads its offset); `nil` if neither.
    static func timestamp(_ text: String) -> String? {
        if text.isEmpty { return nil }
        if let stamp = IntacctTimestamp.rfc3339(fromIntacct: text) { return stamp }
        return IntacctTimestamp.hasRFC3339Layout(text) ? text : nil
    }

    /// Trims spaces only when there are any: Foundation's `trimmingCharacters` bridges through NSString
    /// and cost more than the conversion itself on the hot path.
    private static func trimmedIfNeeded(_ value: String) -> String {
        guard let first = value.utf8.first, let last = value.utf8.last, first == 32 || last == 32 || first == 9 || last == 9 else { return value }
        return value.trimmingCharacters(in: .whitespaces)
    }
}
