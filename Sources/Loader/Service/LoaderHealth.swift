import Synchronization

/// What `/readyz` reports: each worker's reason for not being ready (BigQuery unavailable since...,
/// buffer full, shutting down). Shared by the workers of one process; a lock, not an actor, because
/// workers update it on their hot path and never wait for anything while holding it.
public final class LoaderHealth: Sendable {
    private let reasons = Mutex<[String: String]>([:])

    public init() {}

    /// Sets (or with `nil` clears) why `worker` is not ready.
    public func set(_ worker: String, notReadyBecause reason: String?) {
        reasons.withLock { $0[worker] = reason }
    }

    /// Every current reason, `worker: reason`, sorted; empty when ready.
    public var notReadyReasons: [String] {
        reasons.withLock { $0 }.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
    }
}
