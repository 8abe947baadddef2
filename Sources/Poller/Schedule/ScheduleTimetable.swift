import Foundation

/// When each stream of the service is next due, and when keys are next reconciled. The service asks it
/// once per tick what to start; everything is due at start-up, then each stream on its own schedule.
/// A value with no clock of its own, so the decisions can be checked at any instant without waiting.
public struct ScheduleTimetable: Sendable {
    /// The streams to start now, and which of them also reconcile keys.
    public struct Batch: Sendable, Equatable {
        public var targets: [PollTarget]
        public var reconcile: Set<PollTarget>

        /// `schedule`, or `schedule+reconciliation` when the reconciliation cron fired.
        public var trigger: String { reconcile.isEmpty ? "schedule" : "schedule+reconciliation" }
    }

    private let targets: [PollTarget]
    private let reconciliation: CronExpression
    private var due: [PollTarget: Date] = [:]
    private var reconcileAt: Date

    /// Every stream is due at `start`; reconciliation first fires at the cron's next minute after it.
    public init(targets: [PollTarget], reconciliation: CronExpression, start: Date) {
        self.targets = targets
        self.reconciliation = reconciliation
        for target in targets { due[target] = start }
        reconcileAt = reconciliation.next(after: start) ?? .distantFuture
    }

    /// What is due at `now` (nil if nothing), moving each started stream to its next scheduled time.
    /// A stream that stayed due for several of its periods (the service was busy or asleep) runs once.
    public mutating func take(at now: Date) -> Batch? {
        var ready = targets.filter { (due[$0] ?? .distantFuture) <= now }
        var reconcile: Set<PollTarget> = []
        if reconcileAt <= now {
            reconcileAt = reconciliation.next(after: now) ?? .distantFuture
            reconcile = Set(targets.filter { $0.deletes != .none })
            ready += targets.filter { reconcile.contains($0) && !ready.contains($0) }
        }
        guard !ready.isEmpty else { return nil }
        for target in ready { due[target] = target.schedule.next(after: now) ?? .distantFuture }
        return Batch(targets: ready, reconcile: reconcile)
    }

    /// When `target` is next due.
    public func nextRun(of target: PollTarget) -> Date? { due[target] }
}
