import Foundation

/// When this process last created or altered each table. BigQuery's streaming backend learns about a
/// new table or column minutes after the control plane does; a 404 inside that window is propagation
/// delay to wait out, while a 404 for a table nobody touched is a real "table not found".
final class SchemaChangeLog: @unchecked Sendable {
    // Guarded by `lock`; a lock rather than an actor because lookups sit on the insert path and never wait.
    private let lock = NSLock()
    private var changedAt: [String: ContinuousClock.Instant] = [:]

    func record(_ table: String) {
        lock.lock()
        defer { lock.unlock() }
        changedAt[table] = ContinuousClock.now
    }

    func changedRecently(_ table: String, within window: Duration) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard let instant = changedAt[table] else { return false }
        return ContinuousClock.now - instant < window
    }
}
