import Synchronization

/// Set when the service is asked to stop. Streams check it after each page (whose watermark is then
/// already written), so a SIGTERM never leaves a page half-published and never waits for a whole backfill.
public final class ShutdownFlag: Sendable {
    private let requested = Mutex(false)

    public init() {}

    public var isRequested: Bool { requested.withLock { $0 } }

    public func request() { requested.withLock { $0 = true } }
}
