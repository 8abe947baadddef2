import Foundation
import Operations
import Synchronization

/// A `ServiceClock` that stands still until the test moves it: linger, backoff, schedules and
/// freshness windows come due when the test says so, not after a wait on the wall clock.
///
/// Monotonic and wall time move together; `advance(by:)` wakes every sleeper whose deadline it reaches,
/// and a cancelled sleeper wakes at once with `CancellationError`, so a service stops as it would for real.
public final class ManualClock: ServiceClock {
    private struct Sleeper {
        var deadline: ContinuousClock.Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var elapsed: Duration = .zero
        var sleepers: [UInt64: Sleeper] = [:]
        var nextSleeper: UInt64 = 0
        /// Sleepers between taking an id and registering, and those of them already cancelled (which
        /// must not register at all). Kept apart so a cancel after the wake-up leaves nothing behind.
        var registering: Set<UInt64> = []
        var cancelled: Set<UInt64> = []
    }

    private let start: ContinuousClock.Instant
    private let startDate: Date
    private let state = Mutex(State())

    /// Starts at the host's current instant and date, so values compared with real ones stay plausible.
    public init(start: ContinuousClock.Instant = ContinuousClock.now, date: Date = Date()) {
        self.start = start
        startDate = date
    }

    public var now: ContinuousClock.Instant { start + state.withLock { $0.elapsed } }

    public var date: Date {
        let elapsed = state.withLock { $0.elapsed }
        return startDate.addingTimeInterval(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    /// Moves time forward and wakes every sleeper whose deadline has come.
    public func advance(by duration: Duration) {
        let woken = state.withLock { state in
            state.elapsed += duration
            let now = start + state.elapsed
            let due = state.sleepers.filter { $0.value.deadline <= now }
            for id in due.keys { state.sleepers[id] = nil }
            return due.values.map(\.continuation)
        }
        for continuation in woken { continuation.resume() }
    }

    public func sleep(until deadline: ContinuousClock.Instant) async throws {
        let id = state.withLock { state in
            defer { state.nextSleeper += 1 }
            state.registering.insert(state.nextSleeper)
            return state.nextSleeper
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome: Result<Void, any Error>? = state.withLock { state in
                    state.registering.remove(id)
                    if state.cancelled.remove(id) != nil { return .failure(CancellationError()) }
                    if deadline <= start + state.elapsed { return .success(()) }
                    state.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let sleeper = state.withLock { state in
                guard let sleeper = state.sleepers.removeValue(forKey: id) else {
                    if state.registering.contains(id) { state.cancelled.insert(id) }
                    return nil as Sleeper?
                }
                return sleeper
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }
}
