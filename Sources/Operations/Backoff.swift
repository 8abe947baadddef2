/// Jittered exponential backoff with a cap, shared by every client that retries (Intacct, BigQuery,
/// Kafka outages). "Full jitter": each delay is uniform in [0, min(cap, base·2ⁿ)], which spreads a fleet
/// of workers that failed together instead of having them retry in lockstep.
public struct Backoff: Sendable {
    public var initial: Duration
    public var maximum: Duration
    /// Attempts after the first before giving up; `nil` retries forever (outage mode).
    public var maxRetries: Int?

    public init(initial: Duration = .milliseconds(200), maximum: Duration = .seconds(30), maxRetries: Int? = 6) {
        self.initial = initial
        self.maximum = maximum
        self.maxRetries = maxRetries
    }

    /// Delay before retry number `attempt` (0-based). A server's `Retry-After` is a floor, never shortened.
    public func delay(attempt: Int, retryAfter: Duration? = nil) -> Duration {
        let ceiling = min(maximum, initial * (1 << min(attempt, 30)))
        let jittered = ceiling * Double.random(in: 0...1)
        guard let retryAfter else { return jittered }
        return max(jittered, min(retryAfter, maximum * 4))
    }

    /// Whether another attempt is allowed after `attempt` retries.
    public func allowsRetry(after attempt: Int) -> Bool {
        maxRetries.map { attempt < $0 } ?? true
    }
}
