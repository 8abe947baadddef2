import Foundation
import Timestamps

/// Times as the sandbox keeps them: whole seconds since the Unix epoch, UTC. Intacct sends timestamps
/// without a zone, in the API user's local time; `CompanySnapshot.timestamp(_:)` shifts by the company's
/// `--timezone` before formatting. Only the epoch-seconds face of `IntacctTimestamp`.
enum IntacctTime {
    /// 2026-01-31 12:00:00 UTC, where the sandbox clock starts.
    static let defaultClockStart = Int64(CivilDate.days(year: 2026, month: 1, day: 31)) * 86_400 + 12 * 3600

    /// `MM/DD/YYYY HH:MM:SS`, the form Intacct uses for TIMESTAMP fields.
    static func timestamp(_ t: Int64) -> String { IntacctTimestamp.format(epochSeconds: t) }

    /// `MM/DD/YYYY`, the form Intacct uses for DATE fields.
    static func date(_ t: Int64) -> String { IntacctTimestamp.formatDate(epochSeconds: t) }

    /// RFC 3339 with a `+00:00` offset, as in `sessiontimestamp`/`sessiontimeout`.
    static func iso8601(_ t: Int64) -> String { IntacctTimestamp.rfc3339ZeroOffset(epochSeconds: t) }

    /// RFC 3339 in the local time of a UTC offset (seconds), with that offset: `2026-01-31T04:00:00-08:00`.
    static func iso8601(_ t: Int64, utcOffset: Int64) -> String {
        let local = IntacctTimestamp.rfc3339ZeroOffset(epochSeconds: t + utcOffset)
        return String(local.dropLast(6)) + offsetText(utcOffset)
    }

    /// `+00:00`, `-08:00`, `+05:30`.
    static func offsetText(_ seconds: Int64) -> String {
        let minutes = abs(seconds) / 60
        let hh = minutes / 60, mm = minutes % 60
        return (seconds < 0 ? "-" : "+") + (hh < 10 ? "0" : "") + String(hh) + ":" + (mm < 10 ? "0" : "") + String(mm)
    }

    /// Reads `±HH:MM` (or `Z`/`UTC`) into seconds east of UTC, within Intacct's −12:00…+14:00.
    static func parseOffset(_ text: String) -> Int64? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t == "Z" || t.uppercased() == "UTC" { return 0 }
        guard let sign = t.first, sign == "+" || sign == "-" else { return nil }
        let parts = t.dropFirst().split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
              let hh = Int64(parts[0]), let mm = Int64(parts[1]), mm < 60 else { return nil }
        let seconds = (hh * 3600 + mm * 60) * (sign == "-" ? -1 : 1)
        return (-12 * 3600...14 * 3600).contains(seconds) ? seconds : nil
    }

    /// Reads `MM/DD/YYYY` or `MM/DD/YYYY HH:MM:SS`, what clients send in query filters.
    static func parse(_ text: String) -> Int64? { IntacctTimestamp.epochSeconds(fromIntacct: text) }
}
