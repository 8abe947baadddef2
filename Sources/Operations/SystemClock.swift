import Foundation

/// The `ServiceClock` production runs on: `ContinuousClock` for durations and waits, `Date()` for the wall.
public struct SystemClock: ServiceClock {
    public init() {}

    public var now: ContinuousClock.Instant { ContinuousClock.now }

    public var date: Date { Date() }

    public func sleep(until deadline: ContinuousClock.Instant) async throws {
        try await ContinuousClock().sleep(until: deadline, tolerance: nil)
    }
}
