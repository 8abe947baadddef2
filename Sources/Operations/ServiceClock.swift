import Foundation

/// Where a service reads the time and waits for it: the loader's linger, commit throttle and outage
/// backoff, the poller's schedule, session ages, readiness freshness and retry delays. Services take one
/// of these instead of asking the system, so a test moves time by hand instead of waiting for it.
///
/// Two readings, because they answer different questions: `now` is monotonic and measures durations (a
/// host clock stepped back by NTP must not stretch a backoff or rejuvenate a session); `date` is the wall
/// clock, for cron schedules and for timestamps that leave the process. A test clock moves both together.
public protocol ServiceClock: Sendable {
    /// Monotonic time, on `ContinuousClock`'s timeline so batches and deadlines keep one instant type.
    var now: ContinuousClock.Instant { get }

    /// Wall-clock time.
    var date: Date { get }

    /// Suspends until `deadline` (by `now`), or throws `CancellationError` when the task is cancelled.
    func sleep(until deadline: ContinuousClock.Instant) async throws
}

extension ServiceClock {
    /// Suspends for `duration` of this clock's time.
    public func sleep(for duration: Duration) async throws {
        try await sleep(until: now + duration)
    }
}

extension ServiceClock where Self == SystemClock {
    /// The host's clocks and real waits.
    public static var system: SystemClock { SystemClock() }
}
