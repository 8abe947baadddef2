/// How many records a worker may hold — routed into batches, in flight to BigQuery, or kept for a
/// retry — before it stops fetching, so its memory depends on this budget and not on how far behind
/// the consumer group is.
///
/// Over budget, the worker pauses its partitions: librdkafka then stops fetching and drops what it had
/// prefetched for them (fetched again after resume, from the last record handed over), and the worker
/// keeps polling so it still serves rebalances and heartbeats while it flushes. It resumes only once
/// what it holds has fallen to half the budget, so a worker at the limit does not pause and resume on
/// every batch (each resume refetches what the pause dropped).
public struct HoldingBudget: Sendable, Equatable {
    /// Records held at which consumption pauses.
    public let limit: Int
    /// Records held at or below which a paused worker resumes.
    public let resumeAt: Int
    public private(set) var isPaused = false
    /// How many times the budget paused consumption.
    public private(set) var pauses = 0

    /// What the worker has to do to its partitions.
    public enum Change: Sendable, Equatable {
        case pause
        case resume
    }

    public init(limit: Int) {
        self.limit = max(1, limit)
        resumeAt = self.limit / 2
    }

    /// Takes what is held now; says whether that crosses a threshold.
    public mutating func update(holding records: Int) -> Change? {
        if !isPaused && records >= limit {
            isPaused = true
            pauses += 1
            return .pause
        }
        if isPaused && records <= resumeAt {
            isPaused = false
            return .resume
        }
        return nil
    }

    /// How many more records one poll may take (0 while paused: nothing should arrive then anyway).
    public func room(holding records: Int) -> Int {
        isPaused ? 0 : max(0, limit - records)
    }
}
