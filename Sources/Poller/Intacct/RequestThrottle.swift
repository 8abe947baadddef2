/// Keeps one company's traffic inside its allowance: at most `maxConcurrent` requests in flight and a
/// token-bucket request rate. Shared by every object, entity and task that talks to the company, since
/// Intacct counts concurrency per company, not per connection.
///
/// Its waiters are the poller's one queue of requests. A free slot goes to the waiter with the highest
/// `priority` (a task-local the caller sets; first come, first served among equals): the poller sets it
/// to the rows a stream still has to read, so the longest stream's chain of pages (each page's request
/// needs the one before it) never waits behind short ones and does not become the tail of a backfill.
public actor RequestThrottle {
    /// How urgent the requests of the current task are; higher goes first.
    @TaskLocal public static var priority = 0

    public nonisolated let maxConcurrent: Int
    public nonisolated let requestsPerSecond: Double
    private var inFlight = 0
    private var waiters: [(id: UInt64, priority: Int, continuation: CheckedContinuation<Void, Error>)] = []
    private var nextWaiterID: UInt64 = 0
    private var tokens: Double
    private var lastRefill = ContinuousClock.now
    private let clock = ContinuousClock()

    public init(maxConcurrent: Int = 2, requestsPerSecond: Double = 10) {
        self.maxConcurrent = max(1, maxConcurrent)
        self.requestsPerSecond = max(0.001, requestsPerSecond)
        // A burst of one second's worth, at least one request.
        tokens = max(1, requestsPerSecond)
    }

    /// Requests currently holding a slot.
    public var currentInFlight: Int { inFlight }

    /// Requests waiting for a slot.
    public var waiting: Int { waiters.count }

    /// Runs `body` holding a slot and a rate token.
    public func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await acquire()
        defer { release() }
        return try await body()
    }

    /// Waits for a slot (first come, first served), then for a rate token.
    public func acquire() async throws {
        if inFlight < maxConcurrent {
            inFlight += 1
        } else {
            nextWaiterID += 1
            let id = nextWaiterID
            let priority = Self.priority
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    // Behind every waiter of the same or a higher priority.
                    let index = waiters.firstIndex { $0.priority < priority } ?? waiters.endIndex
                    waiters.insert((id, priority, continuation), at: index)
                }
            } onCancel: {
                Task { await self.cancelWaiter(id) }
            }
            // The slot was handed over by `release`, so `inFlight` already counts us.
        }
        do {
            try Task.checkCancellation()
            try await takeToken()
        } catch {
            release()
            throw error
        }
    }

    /// Gives the slot to the longest waiter, or frees it.
    public func release() {
        if waiters.isEmpty {
            inFlight -= 1
        } else {
            waiters.removeFirst().continuation.resume()
        }
    }

    // Reserve the token now (the bucket may go negative) and sleep off the debt, so waiters are served
    // in order without polling.
    private func takeToken() async throws {
        let now = clock.now
        let elapsed = now - lastRefill
        lastRefill = now
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        tokens = min(max(1, requestsPerSecond), tokens + seconds * requestsPerSecond)
        tokens -= 1
        if tokens < 0 {
            try await Task.sleep(for: .milliseconds(Int64((-tokens / requestsPerSecond) * 1000)))
        }
    }

    private func cancelWaiter(_ id: UInt64) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(throwing: CancellationError())
    }
}
