import Foundation

/// The service's runs: those still going (so shutdown can wait for their last pages) and the reports
/// of the last few finished runs of each stream (for operators and tests). A long-running service
/// starts a run every few minutes for months, so neither may grow with time: a finished run leaves
/// the running set as it ends, and only the newest `keepPerStream` reports of a stream are kept.
final class RunHistory: @unchecked Sendable {
    let keepPerStream: Int
    private let lock = NSLock()
    private var running: [UInt64: Task<Void, Never>] = [:]
    private var nextID: UInt64 = 0
    private var finished: [String: [StreamRunReport]] = [:]
    private var finishedCounts: [String: Int] = [:]

    init(keepPerStream: Int) {
        self.keepPerStream = max(1, keepPerStream)
    }

    /// Starts `work` in a task of its own; its reports are kept once it ends.
    func start(_ work: @escaping @Sendable () async -> [StreamRunReport]) {
        lock.withLock {
            nextID += 1
            let id = nextID
            // Created under the lock: if the work ends at once, `end` waits for the task to be listed.
            running[id] = Task { [self] in
                let reports = await work()
                end(id, reports)
            }
        }
    }

    private func end(_ id: UInt64, _ reports: [StreamRunReport]) {
        lock.withLock {
            running[id] = nil
            for report in reports {
                finishedCounts[report.target, default: 0] += 1
                var kept = finished[report.target, default: []]
                kept.append(report)
                if kept.count > keepPerStream { kept.removeFirst(kept.count - keepPerStream) }
                finished[report.target] = kept
            }
        }
    }

    /// Runs not yet ended.
    var runningCount: Int { lock.withLock { running.count } }

    /// The newest finished reports of one stream (`<entity>/<OBJECT>`), oldest first.
    func recent(_ streamID: String) -> [StreamRunReport] { lock.withLock { finished[streamID] ?? [] } }

    /// How many runs of one stream have finished since the service started (kept or not).
    func finishedCount(_ streamID: String) -> Int { lock.withLock { finishedCounts[streamID] ?? 0 } }

    /// Finished reports kept, over every stream.
    var keptCount: Int { lock.withLock { finished.values.reduce(0) { $0 + $1.count } } }

    /// Returns once every run started so far (and any started meanwhile) has ended.
    func waitAll() async {
        while let task = lock.withLock({ running.values.first }) { await task.value }
    }
}
