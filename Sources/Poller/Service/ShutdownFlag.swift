import Foundation

/// Set when the service is asked to stop. Streams check it after each page (whose watermark is then
/// already written), so a SIGTERM never leaves a page half-published and never waits for a whole backfill.
public final class ShutdownFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var requested = false

    public init() {}

    public var isRequested: Bool { lock.withLock { requested } }

    public func request() { lock.withLock { requested = true } }
}
