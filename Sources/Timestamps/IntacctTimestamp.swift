import Foundation

/// Intacct's wire formats for time: `MM/DD/YYYY HH:MM:SS` for timestamps, `MM/DD/YYYY` for dates,
/// with no zone. This project reads and writes them as UTC everywhere (the sandbox does the same), so a
/// watermark written by the poller and a TIMESTAMP column in BigQuery mean the same instant.
public enum IntacctTimestamp {
    /// Seconds since 1970 for `MM/DD/YYYY HH:MM:SS` (or a bare `MM/DD/YYYY`, read as midnight).
    public static func parse(_ text: some StringProtocol) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 10 || bytes.count == 19,
              bytes[2] == UInt8(ascii: "/"), bytes[5] == UInt8(ascii: "/"),
              let month = number(bytes, 0, 2), let day = number(bytes, 3, 2), let year = number(bytes, 6, 4)
        else { return nil }
        var hour = 0, minute = 0, second = 0
        if bytes.count == 19 {
            guard bytes[10] == UInt8(ascii: " "), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
                  let h = number(bytes, 11, 2), let m = number(bytes, 14, 2), let s = number(bytes, 17, 2),
                  h < 24, m < 60, s < 61 else { return nil }
            (hour, minute, second) = (h, m, s)
        }
        guard (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day) else { return nil }
        let days = CivilDate.days(year: year, month: month, day: day)
        return Date(timeIntervalSince1970: TimeInterval(days * 86_400 + hour * 3600 + minute * 60 + second))
    }

    /// `MM/DD/YYYY HH:MM:SS` in UTC.
    public static func format(_ date: Date) -> String {
        let (year, month, day, seconds) = civil(date)
        return digits(pattern: "MM/DD/YYYY hh:mm:ss", year: year, month: month, day: day, secondOfDay: seconds)
    }

    /// `MM/DD/YYYY` in UTC.
    public static func formatDate(_ date: Date) -> String {
        let (year, month, day, _) = civil(date)
        return digits(pattern: "MM/DD/YYYY", year: year, month: month, day: day, secondOfDay: 0)
    }

    /// RFC 3339 in UTC (`2026-01-31T12:00:00Z`), the envelope's and BigQuery's form.
    public static func iso8601(_ date: Date) -> String {
        let (year, month, day, seconds) = civil(date)
        return digits(pattern: "YYYY-MM-DDThh:mm:ssZ", year: year, month: month, day: day, secondOfDay: seconds)
    }

    /// Reads RFC 3339 (`2024-01-05T10:00:00-08:00`, `…Z`, optional fractional seconds), as in a
    /// session's `sessiontimestamp`; nil for anything else. Foundation's ISO8601DateFormatter costs
    /// milliseconds to create on Linux, and these arrive with every response.
    public static func parseRFC3339(_ text: some StringProtocol) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t") || bytes[10] == UInt8(ascii: " "),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
              let year = number(bytes, 0, 4), let month = number(bytes, 5, 2), let day = number(bytes, 8, 2),
              let hour = number(bytes, 11, 2), let minute = number(bytes, 14, 2), let second = number(bytes, 17, 2),
              (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var fraction = 0.0
        if bytes[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            let start = index
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                fraction += Double(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        guard index < bytes.count else { return nil }
        var offset = 0
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard index + 1 == bytes.count else { return nil }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard index + 6 == bytes.count, bytes[index + 3] == UInt8(ascii: ":"),
                  let hours = number(bytes, index + 1, 2), let minutes = number(bytes, index + 4, 2), hours < 24, minutes < 60
            else { return nil }
            offset = (hours * 3600 + minutes * 60) * (bytes[index] == UInt8(ascii: "-") ? -1 : 1)
        default:
            return nil
        }
        let days = CivilDate.days(year: year, month: month, day: day)
        return Date(timeIntervalSince1970: TimeInterval(days * 86_400 + hour * 3600 + minute * 60 + second - offset) + fraction)
    }

    /// `YYYY-MM-DD`, BigQuery's DATE form, from Intacct's `MM/DD/YYYY`.
    public static func isoDate(fromIntacct text: some StringProtocol) -> String? {
        guard let date = parse(text) else { return nil }
        return String(iso8601(date).prefix(10))
    }

    /// Fills `pattern`'s letters with zero-padded digits (Y year, M month, D day, h m s time) and copies
    /// every other byte. Replaces `String(format:)`, which costs microseconds a call on Linux and runs
    /// once per record on the poller's and the loader's hot paths.
    private static func digits(pattern: StaticString, year: Int, month: Int, day: Int, secondOfDay: Int) -> String {
        guard (0...9999).contains(year) else {
            // Not a date Intacct or this century sends; keep the old, general formatting.
            let time = String(format: "%02d:%02d:%02d", secondOfDay / 3600, secondOfDay / 60 % 60, secondOfDay % 60)
            switch pattern.utf8CodeUnitCount {
            case 10: return String(format: "%02d/%02d/%04d", month, day, year)
            case 19: return String(format: "%02d/%02d/%04d ", month, day, year) + time
            default: return String(format: "%04d-%02d-%02dT", year, month, day) + time + "Z"
            }
        }
        let hour = secondOfDay / 3600, minute = secondOfDay / 60 % 60, second = secondOfDay % 60
        return String(unsafeUninitializedCapacity: pattern.utf8CodeUnitCount) { buffer in
            // Each letter run is filled from its last digit backwards.
            var values = (year: year, month: month, day: day, hour: hour, minute: minute, second: second)
            pattern.withUTF8Buffer { letters in
                for index in letters.indices.reversed() {
                    func next(_ value: inout Int) -> UInt8 {
                        defer { value /= 10 }
                        return UInt8(ascii: "0") + UInt8(value % 10)
                    }
                    switch letters[index] {
                    case UInt8(ascii: "Y"): buffer[index] = next(&values.year)
                    case UInt8(ascii: "M"): buffer[index] = next(&values.month)
                    case UInt8(ascii: "D"): buffer[index] = next(&values.day)
                    case UInt8(ascii: "h"): buffer[index] = next(&values.hour)
                    case UInt8(ascii: "m"): buffer[index] = next(&values.minute)
                    case UInt8(ascii: "s"): buffer[index] = next(&values.second)
                    default: buffer[index] = letters[index]
                    }
                }
            }
            return pattern.utf8CodeUnitCount
        }
    }

    private static func number(_ bytes: [UInt8], _ start: Int, _ length: Int) -> Int? {
        var value = 0
        for byte in bytes[start..<start + length] {
            guard byte >= 48 && byte <= 57 else { return nil }
            value = value * 10 + Int(byte - 48)
        }
        return value
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private static func civil(_ date: Date) -> (year: Int, month: Int, day: Int, secondOfDay: Int) {
        let total = Int(date.timeIntervalSince1970.rounded(.down))
        let days = Int((Double(total) / 86_400).rounded(.down))
        let secondOfDay = total - days * 86_400
        let (year, month, day) = CivilDate.date(fromDays: days)
        return (year, month, day, secondOfDay)
    }
}
