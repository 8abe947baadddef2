import Timestamps
/// Times as the sandbox keeps them: whole seconds since the Unix epoch, UTC. Intacct sends timestamps
/// without a zone; the sandbox contract fixes them as UTC, so no calendar or time-zone API is needed and
/// formatting stays cheap enough for 20,000 rows a second.
enum IntacctTime {
    /// 2026-01-31 12:00:00 UTC, where the sandbox clock starts.
    static let defaultClockStart: Int64 = civilToEpoch(year: 2026, month: 1, day: 31, hour: 12, minute: 0, second: 0)

    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        Int64(CivilDate.days(year: Int(year), month: Int(month), day: Int(day)))
    }

    static func civilFromDays(_ days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let (year, month, day) = CivilDate.date(fromDays: Int(days))
        return (Int64(year), Int64(month), Int64(day))
    }

    static func civilToEpoch(year: Int64, month: Int64, day: Int64, hour: Int64, minute: Int64, second: Int64) -> Int64 {
        daysFromCivil(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second
    }

    /// `MM/DD/YYYY HH:MM:SS`, the form Intacct uses for TIMESTAMP fields.
    static func timestamp(_ t: Int64) -> String {
        var bytes = [UInt8](repeating: 0, count: 19)
        let days = floorDiv(t, 86_400)
        let secs = t - days * 86_400
        let (y, m, d) = civilFromDays(days)
        put2(&bytes, 0, m); bytes[2] = 0x2F; put2(&bytes, 3, d); bytes[5] = 0x2F; put4(&bytes, 6, y)
        bytes[10] = 0x20
        put2(&bytes, 11, secs / 3600); bytes[13] = 0x3A; put2(&bytes, 14, (secs / 60) % 60); bytes[16] = 0x3A
        put2(&bytes, 17, secs % 60)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `MM/DD/YYYY`, the form Intacct uses for DATE fields.
    static func date(_ t: Int64) -> String {
        var bytes = [UInt8](repeating: 0, count: 10)
        let (y, m, d) = civilFromDays(floorDiv(t, 86_400))
        put2(&bytes, 0, m); bytes[2] = 0x2F; put2(&bytes, 3, d); bytes[5] = 0x2F; put4(&bytes, 6, y)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// ISO-8601 with offset, as in `sessiontimestamp`/`sessiontimeout`.
    static func iso8601(_ t: Int64) -> String {
        let s = timestamp(t)
        let p = Array(s.utf8)
        let date = String(decoding: p[6..<10], as: UTF8.self) + "-" + String(decoding: p[0..<2], as: UTF8.self)
            + "-" + String(decoding: p[3..<5], as: UTF8.self)
        return date + "T" + String(decoding: p[11..<19], as: UTF8.self) + "+00:00"
    }

    /// Reads `MM/DD/YYYY`, `MM/DD/YYYY HH:MM:SS` (what clients send) and, leniently, `YYYY-MM-DD[THH:MM:SS]`.
    static func parse(_ text: String) -> Int64? {
        let s = Array(text.utf8)
        var numbers: [Int64] = []
        var current: Int64 = -1
        var separators: [UInt8] = []
        for byte in s {
            if byte >= 0x30 && byte <= 0x39 {
                current = (current < 0 ? 0 : current) * 10 + Int64(byte - 0x30)
                if current > 1_000_000 { return nil }
            } else {
                if current >= 0 { numbers.append(current); current = -1; separators.append(byte) }
                else if byte != 0x20 { return nil }
            }
        }
        if current >= 0 { numbers.append(current) }
        guard numbers.count == 3 || numbers.count == 5 || numbers.count == 6 else { return nil }
        var year: Int64, month: Int64, day: Int64
        if separators.first == 0x2D { (year, month, day) = (numbers[0], numbers[1], numbers[2]) }
        else { (month, day, year) = (numbers[0], numbers[1], numbers[2]) }
        guard (1...12).contains(month), (1...31).contains(day), (1...9999).contains(year) else { return nil }
        let hour = numbers.count > 3 ? numbers[3] : 0
        let minute = numbers.count > 4 ? numbers[4] : 0
        let second = numbers.count > 5 ? numbers[5] : 0
        guard hour < 24, minute < 60, second < 61 else { return nil }
        return civilToEpoch(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }

    private static func put2(_ bytes: inout [UInt8], _ at: Int, _ value: Int64) {
        bytes[at] = UInt8(0x30 + (value / 10) % 10)
        bytes[at + 1] = UInt8(0x30 + value % 10)
    }

    private static func put4(_ bytes: inout [UInt8], _ at: Int, _ value: Int64) {
        put2(&bytes, at, value / 100)
        put2(&bytes, at + 2, value % 100)
    }
}
