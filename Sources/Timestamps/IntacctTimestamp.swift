import Foundation

/// Every text form of time the project reads or writes, in one place: Intacct's `MM/DD/YYYY HH:MM:SS`
/// and `MM/DD/YYYY` (no zone), RFC 3339 as the envelope, BigQuery and Intacct's session times spell it,
/// and BigQuery's `YYYY-MM-DD`. These functions read and write Intacct's layout as UTC; Intacct itself
/// writes the API user's local time, which `IntacctTimeZone` converts (the poller does so before a value
/// reaches the envelope, so from there on the layout means UTC). Each form is spelled once
/// (`TimeLayout`); conversions read into `CivilTime` and write from it, digit by digit.
public enum IntacctTimestamp {
    // MARK: Intacct

    /// The instant of `MM/DD/YYYY HH:MM:SS` (or a bare `MM/DD/YYYY`, read as midnight); nil for anything else.
    public static func parse(_ text: some StringProtocol) -> Date? {
        intacct(text).map { Date(timeIntervalSince1970: TimeInterval($0.epochSeconds)) }
    }

    /// `parse` as whole seconds since 1970.
    public static func epochSeconds(fromIntacct text: some StringProtocol) -> Int64? {
        intacct(text)?.epochSeconds
    }

    /// The same for UTF-8 bytes (a field of a message as it came): not generic, so a caller in another
    /// module pays no generic metadata look-up per call, which the loader's per-field reads did.
    public static func epochSeconds(fromIntacct bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        intacct(bytes)?.epochSeconds
    }

    /// `MM/DD/YYYY HH:MM:SS` in UTC.
    public static func format(_ date: Date) -> String { CivilTime(date).text(.intacctTimestamp) }

    public static func format(epochSeconds: Int64) -> String { CivilTime(epochSeconds: epochSeconds).text(.intacctTimestamp) }

    /// `MM/DD/YYYY` in UTC.
    public static func formatDate(_ date: Date) -> String { CivilTime(date).text(.intacctDate) }

    public static func formatDate(epochSeconds: Int64) -> String { CivilTime(epochSeconds: epochSeconds).text(.intacctDate) }

    private static func intacct(_ text: some StringProtocol) -> CivilTime? {
        CivilTime.reading(text, intacct)
    }

    private static func intacct(_ bytes: UnsafeBufferPointer<UInt8>) -> CivilTime? {
        CivilTime(bytes, as: .intacctTimestamp) ?? CivilTime(bytes, as: .intacctDate)
    }

    // MARK: RFC 3339

    /// RFC 3339 in UTC (`2026-01-31T12:00:00Z`), the envelope's and BigQuery's form.
    public static func iso8601(_ date: Date) -> String { CivilTime(date).text(.rfc3339) }

    /// RFC 3339 in UTC with microseconds (`2026-01-31T12:00:00.250000Z`), as BigQuery keeps them.
    public static func rfc3339Microseconds(_ date: Date) -> String { CivilTime(date).text(.rfc3339Microseconds) }

    /// RFC 3339 with UTC written as the offset `+00:00`, as Intacct writes `sessiontimestamp`.
    public static func rfc3339ZeroOffset(epochSeconds: Int64) -> String { CivilTime(epochSeconds: epochSeconds).text(.rfc3339ZeroOffset) }

    /// Reads RFC 3339 (`2024-01-05T10:00:00-08:00`, `…Z`, optional fractional seconds), as in a
    /// session's `sessiontimestamp` or `replay --from time:`; nil for anything else. Foundation's
    /// ISO8601DateFormatter costs milliseconds to create on Linux, and these arrive with every response.
    public static func parseRFC3339(_ text: some StringProtocol) -> Date? {
        CivilTime.reading(text, rfc3339)
    }

    /// The same for UTF-8 bytes, not generic (see `epochSeconds(fromIntacct:)`).
    public static func parseRFC3339(_ bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        rfc3339(bytes)
    }

    /// Whether `text` is laid out as RFC 3339 — `YYYY-MM-DDT…`, ending in `Z` or carrying an offset —
    /// its values unchecked: what the loader passes on to BigQuery as it is (the envelope's own stamps),
    /// leaving the values for BigQuery to judge.
    public static func hasRFC3339Layout(_ text: String) -> Bool {
        CivilTime.reading(text) { hasRFC3339Layout($0) ? true : nil } ?? false
    }

    /// The same for UTF-8 bytes, not generic (see `epochSeconds(fromIntacct:)`).
    public static func hasRFC3339Layout(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count >= 20, bytes[10] == UInt8(ascii: "T"),
              CivilTime(UnsafeBufferPointer(rebasing: bytes[0..<10]), as: .isoDate, validating: false) != nil else { return false }
        let zone = UnsafeBufferPointer(rebasing: bytes[19...])
        return bytes[bytes.count - 1] == UInt8(ascii: "Z") || zone.contains(UInt8(ascii: "+")) || zone.contains(UInt8(ascii: "-"))
    }

    private static func rfc3339(_ bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        guard bytes.count >= 20, let time = CivilTime(UnsafeBufferPointer(rebasing: bytes[0..<19]), as: .rfc3339DateTime) else { return nil }
        switch bytes[10] {
        case UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: " "): break
        default: return nil
        }
        func digit(_ index: Int) -> Int? {
            let byte = bytes[index]
            return byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int(byte - UInt8(ascii: "0")) : nil
        }
        var index = 19
        var fraction = 0.0
        if bytes[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            let start = index
            while index < bytes.count, let value = digit(index) {
                fraction += Double(value) * scale
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
                  let h1 = digit(index + 1), let h2 = digit(index + 2), let m1 = digit(index + 4), let m2 = digit(index + 5),
                  h1 * 10 + h2 < 24, m1 * 10 + m2 < 60
            else { return nil }
            offset = ((h1 * 10 + h2) * 3600 + (m1 * 10 + m2) * 60) * (bytes[index] == UInt8(ascii: "-") ? -1 : 1)
        default:
            return nil
        }
        return Date(timeIntervalSince1970: TimeInterval(time.epochSeconds - Int64(offset)) + fraction)
    }

    // MARK: Intacct to BigQuery

    /// `MM/DD/YYYY HH:MM:SS` → `YYYY-MM-DDTHH:MM:SSZ`, `MM/DD/YYYY` → `YYYY-MM-DDT00:00:00Z`; nil if invalid.
    /// The loader's per-field conversion: no `Date` in between.
    public static func rfc3339(fromIntacct text: String) -> String? {
        guard let time = intacct(text) else { return nil }
        // A leap second (`:60`) is valid Intacct but not valid BigQuery text: the arithmetic rolls it over.
        return time.second == 60 ? CivilTime(epochSeconds: time.epochSeconds).text(.rfc3339) : time.text(.rfc3339)
    }

    /// `MM/DD/YYYY` → `YYYY-MM-DD`, BigQuery's DATE form; nil if invalid.
    public static func isoDate(fromIntacct text: String) -> String? {
        CivilTime.reading(text) { CivilTime($0, as: .intacctDate) }?.text(.isoDate)
    }

    /// Whether `text` is exactly a real `YYYY-MM-DD`.
    public static func isISODate(_ text: String) -> Bool {
        CivilTime.reading(text) { CivilTime($0, as: .isoDate) } != nil
    }
}
