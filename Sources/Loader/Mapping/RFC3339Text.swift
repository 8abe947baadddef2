import Foundation
import Timestamps

/// Intacct dates and timestamps rewritten as BigQuery's RFC 3339 text without going through
/// `String(format:)`, which dominated the loader's per-row cost (a profile of the benchmark put a fifth
/// of all CPU in it). Validation stays with `IntacctTimestamp.parse`; these only move digits.
enum RFC3339Text {
    /// `MM/DD/YYYY HH:MM:SS` → `YYYY-MM-DDTHH:MM:SSZ`, `MM/DD/YYYY` → `YYYY-MM-DDT00:00:00Z`; `nil` if invalid.
    static func timestamp(fromIntacct text: String) -> String? {
        // Most stamps the loader sees (the envelope's own) are RFC 3339 already: no array for those.
        guard text.utf8.count == 19 || text.utf8.count == 10 else { return nil }
        let bytes = Array(text.utf8)
        guard bytes.count == 19 || bytes.count == 10, IntacctTimestamp.parse(text) != nil else { return nil }
        // A leap second (":60") is valid Intacct but not valid BigQuery text; let the date arithmetic roll it over.
        if bytes.count == 19 && bytes[17] == UInt8(ascii: "6") { return IntacctTimestamp.parse(text).map(IntacctTimestamp.iso8601) }
        var out = [UInt8]()
        out.reserveCapacity(20)
        out += bytes[6..<10]
        out.append(UInt8(ascii: "-"))
        out += bytes[0..<2]
        out.append(UInt8(ascii: "-"))
        out += bytes[3..<5]
        out.append(UInt8(ascii: "T"))
        if bytes.count == 19 { out += bytes[11..<19] } else { out += Array("00:00:00".utf8) }
        out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }

    /// `MM/DD/YYYY` → `YYYY-MM-DD`; `nil` if invalid.
    static func date(fromIntacct text: String) -> String? {
        guard text.utf8.count == 10, IntacctTimestamp.parse(text) != nil else { return nil }
        var text = text
        return text.withUTF8 { bytes in
            String(unsafeUninitializedCapacity: 10) { out in
                // MM/DD/YYYY → YYYY-MM-DD
                out[0] = bytes[6]; out[1] = bytes[7]; out[2] = bytes[8]; out[3] = bytes[9]
                out[4] = UInt8(ascii: "-")
                out[5] = bytes[0]; out[6] = bytes[1]
                out[7] = UInt8(ascii: "-")
                out[8] = bytes[3]; out[9] = bytes[4]
                return 10
            }
        }
    }

    /// `YYYY-MM-DDTHH:MM:SS.ffffffZ` in UTC.
    static func microseconds(_ date: Date) -> String {
        let interval = date.timeIntervalSince1970
        let whole = Int(interval.rounded(.down))
        let micros = Int((interval - Double(whole)) * 1_000_000)
        let days = whole >= 0 ? whole / 86_400 : (whole - 86_399) / 86_400
        let secondOfDay = whole - days * 86_400
        let (year, month, day) = CivilDate.date(fromDays: days)
        var out = [UInt8]()
        out.reserveCapacity(27)
        func digits(_ value: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                out.append(UInt8(48 + rest / divisor % 10))
                rest %= divisor
                divisor /= 10
            }
        }
        digits(year, 4); out.append(45); digits(month, 2); out.append(45); digits(day, 2); out.append(84)
        digits(secondOfDay / 3600, 2); out.append(58); digits(secondOfDay / 60 % 60, 2); out.append(58); digits(secondOfDay % 60, 2)
        out.append(46); digits(micros, 6); out.append(90)
        return String(decoding: out, as: UTF8.self)
    }
}
