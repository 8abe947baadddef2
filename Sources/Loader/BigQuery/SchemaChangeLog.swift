import Operations
import Synchronization

/// When this process last created or altered each table. BigQuery's streaming backend learns about a
/// new table or column minutes after the control plane does; a 404 inside that window is propagation
/// delay to wait out, while a 404 for a table nobody touched is a real "table not found".
final class SchemaChangeLog: Sendable {
    // A lock rather than an actor because lookups sit on the insert path and never wait.
    private let changedAt = Mutex<[String: ContinuousClock.Instant]>([:])
    private let clock: any ServiceClock

    init(clock: any ServiceClock = .system) {
        self.clock = clock
    }

    func record(_ table: String) {
        let now = clock.now
        changedAt.withLock { $0[table] = now }
    }

    func changedRecently(_ table: String, within window: Duration) -> Bool {
        guard let instant = changedAt.withLock({ $0[table] }) else { return false }
        return clock.now - instant < window
    }
}
