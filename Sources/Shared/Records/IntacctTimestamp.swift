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
        return String(format: "%02d/%02d/%04d %02d:%02d:%02d", month, day, year, seconds / 3600, seconds / 60 % 60, seconds % 60)
    }

    /// `MM/DD/YYYY` in UTC.
    public static func formatDate(_ date: Date) -> String {
        let (year, month, day, _) = civil(date)
        return String(format: "%02d/%02d/%04d", month, day, year)
    }

    /// RFC 3339 in UTC (`2026-01-31T12:00:00Z`), the envelope's and BigQuery's form.
    public static func iso8601(_ date: Date) -> String {
        let (year, month, day, seconds) = civil(date)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", year, month, day, seconds / 3600, seconds / 60 % 60, seconds % 60)
    }

    /// `YYYY-MM-DD`, BigQuery's DATE form, from Intacct's `MM/DD/YYYY`.
    public static func isoDate(fromIntacct text: some StringProtocol) -> String? {
        guard let date = parse(text) else { return nil }
        return String(iso8601(date).prefix(10))
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
