import Foundation
import Synchronization

/// PIDs of the children still running, so an interrupted matrix (Ctrl-C, SIGTERM) kills exactly those.
final class ChildRegistry: Sendable {
    static let shared = ChildRegistry()
    private let pids = Mutex<Set<Int32>>([])

    func add(_ pid: Int32) { pids.withLock { _ = $0.insert(pid) } }
    func remove(_ pid: Int32) { pids.withLock { _ = $0.remove(pid) } }
    func killAll() { for pid in pids.withLock({ $0 }) { kill(pid, SIGKILL) } }
}
