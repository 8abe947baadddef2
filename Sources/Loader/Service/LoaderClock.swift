/// Where a loader reads the time: batch linger, the commit throttle, outage backoff and the lag
/// reporter's period all come from one clock, so tests can move time by hand instead of waiting for it.
///
/// Instants stay on `ContinuousClock`'s timeline, so batches, policies and outages keep one concrete
/// instant type; a test clock starts at `ContinuousClock.now` and moves along the same line.
public protocol LoaderClock: Sendable {
    var now: ContinuousClock.Instant { get }

    /// Suspends until `deadline` (by this clock), or throws `CancellationError` when the task is cancelled.
    func sleep(until deadline: ContinuousClock.Instant) async throws
}

extension ContinuousClock: LoaderClock {
    public func sleep(until deadline: ContinuousClock.Instant) async throws {
        try await sleep(until: deadline, tolerance: nil)
    }
}
