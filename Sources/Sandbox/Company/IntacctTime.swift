import Timestamps

/// Times as the sandbox keeps them: whole seconds since the Unix epoch, UTC (Intacct sends timestamps
/// without a zone; the sandbox contract fixes them as UTC). Only the epoch-seconds face of
/// `IntacctTimestamp`, which reads and writes every text form.
enum IntacctTime {
    /// 2026-01-31 12:00:00 UTC, where the sandbox clock starts.
    static let defaultClockStart = Int64(CivilDate.days(year: 2026, month: 1, day: 31)) * 86_400 + 12 * 3600

    /// `MM/DD/YYYY HH:MM:SS`, the form Intacct uses for TIMESTAMP fields.
    static func timestamp(_ t: Int64) -> String { IntacctTimestamp.format(epochSeconds: t) }

    /// `MM/DD/YYYY`, the form Intacct uses for DATE fields.
    static func date(_ t: Int64) -> String { IntacctTimestamp.formatDate(epochSeconds: t) }

    /// RFC 3339 with a `+00:00` offset, as in `sessiontimestamp`/`sessiontimeout`.
    static func iso8601(_ t: Int64) -> String { IntacctTimestamp.rfc3339ZeroOffset(epochSeconds: t) }

    /// Reads `MM/DD/YYYY` or `MM/DD/YYYY HH:MM:SS`, what clients send in query filters.
    static func parse(_ text: String) -> Int64? { IntacctTimestamp.epochSeconds(fromIntacct: text) }
}
