import Foundation

/// When one (entity, object) is polled: a cron expression, or the close-cycle profile.
public enum PollSchedule: Sendable, Equatable {
    case cron(CronExpression)
    case closeCycle(CloseCycleSchedule)

    public func next(after date: Date) -> Date? {
        switch self {
        case let .cron(expression): expression.next(after: date)
        case let .closeCycle(profile): profile.next(after: date)
        }
    }
}
