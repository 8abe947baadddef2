import Foundation

/// A five-field cron expression (`minute hour day-of-month month day-of-week`), evaluated in UTC.
/// Fields take `*`, numbers, ranges `a-b`, steps `*/n` and `a-b/n`, and comma lists; day-of-week 0 and
/// 7 are Sunday. As in Vixie cron, when both day fields are restricted a day matching either runs.
public struct CronExpression: Sendable, Equatable, CustomStringConvertible {
    public let description: String
    private let minutes: Set<Int>
    private let hours: Set<Int>
    private let daysOfMonth: Set<Int>
    private let months: Set<Int>
    private let daysOfWeek: Set<Int>
    private let dayOfMonthRestricted: Bool
    private let dayOfWeekRestricted: Bool

    public init(_ text: String) throws {
        let fields = text.split(whereSeparator: \.isWhitespace).map(String.init)
        guard fields.count == 5 else {
            throw CronExpressionError(expression: text, problem: "needs 5 fields (minute hour day-of-month month day-of-week), found \(fields.count)")
        }
        func parse(_ index: Int, _ name: String, _ range: ClosedRange<Int>) throws -> Set<Int> {
            do { return try Self.values(fields[index], in: range) } catch let problem as FieldProblem {
                throw CronExpressionError(expression: text, problem: "\(name) field \"\(fields[index])\": \(problem.text)")
            }
        }
        description = text
        minutes = try parse(0, "minute", 0...59)
        hours = try parse(1, "hour", 0...23)
        daysOfMonth = try parse(2, "day-of-month", 1...31)
        months = try parse(3, "month", 1...12)
        daysOfWeek = Set(try parse(4, "day-of-week", 0...7).map { $0 % 7 })
        dayOfMonthRestricted = fields[2] != "*"
        dayOfWeekRestricted = fields[4] != "*"
    }

    /// The first whole minute strictly after `date` that matches, or nil if none within five years
    /// (e.g. `0 0 31 2 *`).
    public func next(after date: Date) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var candidate = Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 60).rounded(.down) * 60 + 60)
        let limit = date.addingTimeInterval(5 * 366 * 86_400)
        while candidate < limit {
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: candidate)
            guard months.contains(c.month!) else {
                candidate = calendar.date(from: DateComponents(year: c.year, month: c.month! + 1, day: 1))!
                continue
            }
            guard matchesDay(dayOfMonth: c.day!, weekday: c.weekday! - 1) else {
                candidate = calendar.date(from: DateComponents(year: c.year, month: c.month, day: c.day! + 1))!
                continue
            }
            guard hours.contains(c.hour!) else {
                candidate = calendar.date(from: DateComponents(year: c.year, month: c.month, day: c.day, hour: c.hour! + 1))!
                continue
            }
            guard minutes.contains(c.minute!) else {
                candidate.addTimeInterval(60)
                continue
            }
            return candidate
        }
        return nil
    }

    private func matchesDay(dayOfMonth: Int, weekday: Int) -> Bool {
        switch (dayOfMonthRestricted, dayOfWeekRestricted) {
        case (true, true): daysOfMonth.contains(dayOfMonth) || daysOfWeek.contains(weekday)
        case (true, false): daysOfMonth.contains(dayOfMonth)
        case (false, true): daysOfWeek.contains(weekday)
        case (false, false): true
        }
    }

    private static func values(_ field: String, in range: ClosedRange<Int>) throws -> Set<Int> {
        var result = Set<Int>()
        for part in field.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2 else { throw FieldProblem(text: "too many '/'") }
            var step = 1
            if pieces.count == 2 {
                guard let parsed = Int(pieces[1]), parsed > 0 else { throw FieldProblem(text: "step \"\(pieces[1])\" is not a positive number") }
                step = parsed
            }
            let span: ClosedRange<Int>
            if pieces[0] == "*" {
                span = range
            } else if let dash = pieces[0].firstIndex(of: "-") {
                guard let low = Int(pieces[0][..<dash]), let high = Int(pieces[0][pieces[0].index(after: dash)...]), low <= high else {
                    throw FieldProblem(text: "range \"\(pieces[0])\" is not low-high")
                }
                span = low...high
            } else {
                guard let single = Int(pieces[0]) else { throw FieldProblem(text: "\"\(pieces[0])\" is not a number") }
                // Checked before it starts a range: `400/1` in the hour field would be the range 400...23,
                // which traps (the configuration fuzzer found it).
                guard range.contains(single) else {
                    throw FieldProblem(text: "\(single) is outside \(range.lowerBound)-\(range.upperBound)")
                }
                span = single...(pieces.count == 2 ? range.upperBound : single)
            }
            guard range.contains(span.lowerBound), range.contains(span.upperBound) else {
                throw FieldProblem(text: "\(span.lowerBound)-\(span.upperBound) is outside \(range.lowerBound)-\(range.upperBound)")
            }
            result.formUnion(stride(from: span.lowerBound, through: span.upperBound, by: step))
        }
        return result
    }
}

/// A cron expression that cannot be used, with the field at fault.
public struct CronExpressionError: Error, Equatable, CustomStringConvertible {
    public let expression: String
    public let problem: String
    public var description: String { "cron expression \"\(expression)\": \(problem)" }
}

private struct FieldProblem: Error { let text: String }
