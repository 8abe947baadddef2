/// The text forms of time this project reads and writes, each spelled once. A letter is one digit of a
/// field (`Y` year, `M` month, `D` day, `h` hour, `m` minute, `s` second, `u` microsecond), a run of
/// letters is the field zero-padded to the run's length, and every other byte stands for itself.
struct TimeLayout: Sendable {
    let pattern: StaticString

    /// Intacct's TIMESTAMP fields and query filters: no zone (local to the API user; `IntacctTimeZone` converts).
    static let intacctTimestamp = TimeLayout(pattern: "MM/DD/YYYY hh:mm:ss")
    /// Intacct's DATE fields.
    static let intacctDate = TimeLayout(pattern: "MM/DD/YYYY")
    /// The envelope's and BigQuery's TIMESTAMP text.
    static let rfc3339 = TimeLayout(pattern: "YYYY-MM-DDThh:mm:ssZ")
    /// `_loaded_at` and load summaries: BigQuery keeps microseconds.
    static let rfc3339Microseconds = TimeLayout(pattern: "YYYY-MM-DDThh:mm:ss.uuuuuuZ")
    /// How Intacct writes `sessiontimestamp` and `sessiontimeout`: a numeric offset, here UTC's.
    static let rfc3339ZeroOffset = TimeLayout(pattern: "YYYY-MM-DDThh:mm:ss+00:00")
    /// BigQuery's DATE text.
    static let isoDate = TimeLayout(pattern: "YYYY-MM-DD")
    /// For reading only: RFC 3339's date and time up to the fraction and zone; `?` is the separator,
    /// which RFC 3339 lets be `T`, `t` or a space.
    static let rfc3339DateTime = TimeLayout(pattern: "YYYY-MM-DD?hh:mm:ss")

    /// Matches any byte when reading.
    static let anyByte = UInt8(ascii: "?")

    static func field(_ letter: UInt8) -> CivilTime.Field? {
        switch letter {
        case UInt8(ascii: "Y"): .year
        case UInt8(ascii: "M"): .month
        case UInt8(ascii: "D"): .day
        case UInt8(ascii: "h"): .hour
        case UInt8(ascii: "m"): .minute
        case UInt8(ascii: "s"): .second
        case UInt8(ascii: "u"): .microsecond
        default: nil
        }
    }
}
