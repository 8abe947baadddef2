import Foundation

/// Polls often while the books are being closed and rarely otherwise: every `closeInterval` from
/// `businessDaysBefore` business days before a month ends until `businessDaysAfter` business days into the
/// next month, and on the `otherwise` cron schedule outside that window. Business days are Monday to
/// Friday in UTC (holiday calendars differ per company; a fixed window is what controllers plan around).
public struct CloseCycleSchedule: Sendable, Equatable {
    public var businessDaysBefore: Int
    public var businessDaysAfter: Int
    public var closeInterval: Duration
    public var otherwise: CronExpression

    public init(businessDaysBefore: Int = 3, businessDaysAfter: Int = 5, closeInterval: Duration = .seconds(900),
                otherwise: CronExpression) {
        self.businessDaysBefore = businessDaysBefore
        self.businessDaysAfter = businessDaysAfter
        self.closeInterval = closeInterval
        self.otherwise = otherwise
    }

    /// Whether `date` falls inside a close window.
    public func isInCloseWindow(_ date: Date) -> Bool {
        let calendar = Self.utcCalendar
        let day = calendar.startOfDay(for: date)
        let monthStart = calendar.date(from: calendar.dateComponents([.year, .month], from: day))!
        let nextMonthStart = calendar.date(byAdding: .month, value: 1, to: monthStart)!
        // Window around the end of this month, and the tail of the previous month's window.
        let opens = businessDay(counting: businessDaysBefore, backFrom: nextMonthStart)
        let closesPrevious = businessDay(counting: businessDaysAfter, forwardFrom: monthStart)
        return day >= opens || day <= closesPrevious
    }

    /// The next run strictly after `date`.
    public func next(after date: Date) -> Date? {
        let fast = date.addingTimeInterval(Double(closeInterval.milliseconds) / 1000)
        if isInCloseWindow(date) || isInCloseWindow(fast) { return fast }
        guard let slow = otherwise.next(after: date) else { return nil }
        // The window may open before the next slow run: start at its first minute then.
        var probe = Self.utcCalendar.startOfDay(for: date)
        while probe < slow {
            probe = Self.utcCalendar.date(byAdding: .day, value: 1, to: probe)!
            if probe < slow, isInCloseWindow(probe) { return probe }
        }
        return slow
    }

    /// The day that is the `count`-th business day before `boundary` (a month start).
    private func businessDay(counting count: Int, backFrom boundary: Date) -> Date {
        var day = boundary, seen = 0
        while seen < count {
            day = Self.utcCalendar.date(byAdding: .day, value: -1, to: day)!
            if isBusinessDay(day) { seen += 1 }
        }
        return day
    }

    /// The `count`-th business day of the month starting at `monthStart`.
    private func businessDay(counting count: Int, forwardFrom monthStart: Date) -> Date {
        var day = Self.utcCalendar.date(byAdding: .day, value: -1, to: monthStart)!, seen = 0
        while seen < count {
            day = Self.utcCalendar.date(byAdding: .day, value: 1, to: day)!
            if isBusinessDay(day) { seen += 1 }
        }
        return day
    }

    private func isBusinessDay(_ day: Date) -> Bool {
        let weekday = Self.utcCalendar.component(.weekday, from: day)
        return weekday != 1 && weekday != 7
    }

    static let utcCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}
