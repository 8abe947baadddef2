import Timestamps

/// A date range Intacct computes balances for, inclusive at both ends. Balances are per calendar day,
/// not per instant, so no time zone applies.
public struct BalancePeriod: Sendable, Hashable, CustomStringConvertible {
    /// Days since 1970-01-01.
    public let startDay: Int
    public let endDay: Int

    public init?(startDay: Int, endDay: Int) {
        guard startDay <= endDay else { return nil }
        self.startDay = startDay
        self.endDay = endDay
    }

    /// The calendar month `year`-`month`.
    public static func month(year: Int, month: Int) -> BalancePeriod {
        let start = CivilDate.days(year: year, month: month, day: 1)
        let next = month == 12 ? CivilDate.days(year: year + 1, month: 1, day: 1) : CivilDate.days(year: year, month: month + 1, day: 1)
        return BalancePeriod(startDay: start, endDay: next - 1)!
    }

    /// The month holding `day` and the `count - 1` months before it, oldest first.
    public static func months(endingWith day: Int, count: Int) -> [BalancePeriod] {
        let (year, month, _) = CivilDate.date(fromDays: day)
        let index = year * 12 + (month - 1)
        return (0..<max(0, count)).reversed().map { back in
            let value = index - back
            return .month(year: value / 12, month: value % 12 + 1)
        }
    }

    /// Reads `2024-01` (a month) or `2024-01-01..2024-03-31` (a range); nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: true)
        if parts.count == 1 {
            let fields = text.split(separator: "-")
            guard fields.count == 2, fields[0].count == 4, fields[1].count == 2,
                  let year = Int(fields[0]), let month = Int(fields[1]), (1...12).contains(month) else { return nil }
            self = .month(year: year, month: month)
        } else if parts.count == 2, text.contains(".."),
                  let start = Self.day(String(parts[0])), let end = Self.day(String(parts[1])) {
            guard let period = BalancePeriod(startDay: start, endDay: end) else { return nil }
            self = period
        } else {
            return nil
        }
    }

    private static func day(_ text: String) -> Int? {
        let fields = text.split(separator: "-")
        guard fields.count == 3, fields[0].count == 4, fields[1].count == 2, fields[2].count == 2,
              let year = Int(fields[0]), let month = Int(fields[1]), let day = Int(fields[2]),
              (1...12).contains(month), (1...31).contains(day) else { return nil }
        let days = CivilDate.days(year: year, month: month, day: day)
        // 02/30 would silently become 03/02: refuse a day the month does not have.
        guard CivilDate.date(fromDays: days) == (year, month, day) else { return nil }
        return days
    }

    public var start: (year: Int, month: Int, day: Int) { CivilDate.date(fromDays: startDay) }
    public var end: (year: Int, month: Int, day: Int) { CivilDate.date(fromDays: endDay) }

    /// `MM/DD/YYYY` of the first day, as Intacct writes a DATE (the loader types it).
    public var startText: String { IntacctTimestamp.formatDate(epochSeconds: Int64(startDay) * 86_400) }
    public var endText: String { IntacctTimestamp.formatDate(epochSeconds: Int64(endDay) * 86_400) }

    /// `2024-01-01..2024-01-31`.
    public var description: String {
        func iso(_ day: Int) -> String {
            let (y, m, d) = CivilDate.date(fromDays: day)
            return String(y) + "-" + (m < 10 ? "0" : "") + String(m) + "-" + (d < 10 ? "0" : "") + String(d)
        }
        return iso(startDay) + ".." + iso(endDay)
    }
}
