import Foundation

/// Where the poller reads the time and how it waits: schedules, session ages, how fresh Intacct's
/// last answer is for `/readyz`, progress rates and retry delays all go through one of these, so a
/// test moves the time (or shortens a wait) instead of waiting on the wall clock.
public struct PollerClock: Sendable {
    public var now: @Sendable () -> Date
    public var sleep: @Sendable (Duration) async throws -> Void

    public init(now: @escaping @Sendable () -> Date, sleep: @escaping @Sendable (Duration) async throws -> Void) {
        self.now = now
        self.sleep = sleep
    }

    /// Wall-clock time and real waits.
    public static let system = PollerClock(now: { Date() }, sleep: { try await Task.sleep(for: $0) })

    /// The time elapsed since `date`, as a duration (negative if `date` is ahead).
    func since(_ date: Date) -> Duration {
        .milliseconds(Int64((now().timeIntervalSince(date) * 1000).rounded()))
    }
}
