import Foundation
import Poller
import Synchronization

/// A clock the test moves: `now` is the wall clock plus what the test advanced, and waits are cut to
/// at most `longestWait` of real time, so a retry delay or a schedule tick never holds a test up.
final class ManualClock: Sendable {
    private let offset = Mutex<TimeInterval>(0)
    private let longestWait: Duration

    init(longestWait: Duration = .milliseconds(20)) {
        self.longestWait = longestWait
    }

    func advance(_ seconds: TimeInterval) { offset.withLock { $0 += seconds } }

    var now: Date { Date().addingTimeInterval(offset.withLock { $0 }) }

    var pollerClock: PollerClock {
        let longestWait = longestWait
        return PollerClock(now: { self.now }, sleep: { try await Task.sleep(for: min($0, longestWait)) })
    }
}
