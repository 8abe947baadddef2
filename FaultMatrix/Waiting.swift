import Foundation

/// A condition that did not hold before its deadline.
struct DeadlineExceeded: Error, CustomStringConvertible {
    let what: String
    let after: Duration
    var description: String { "\(what): not within \(after)" }
}

/// Polls `condition` until it holds or `timeout` passes: how the matrix waits for anything to be ready.
func waitUntil(_ what: String, timeout: Duration, every interval: Duration = .milliseconds(200),
               _ condition: () async throws -> Bool) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while true {
        if try await condition() { return }
        if clock.now >= deadline { throw DeadlineExceeded(what: what, after: timeout) }
        try await Task.sleep(for: interval)
    }
}
