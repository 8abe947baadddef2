import Synchronization

/// The service's runs: those still going (so shutdown can wait for their last pages) and the reports
/// of the last few finished runs of each stream (for operators and tests). A long-running service
/// starts a run every few minutes for months, so neither may grow with time: a finished run leaves
/// the running set as it ends, and only the newest `keepPerStream` reports of a stream are kept.
final class RunHistory: Sendable {
    private struct State {
        var running: [UInt64: Task<Void, Never>] = [:]
        var nextID: UInt64 = 0
        var finished: [String: [StreamRunReport]] = [:]
        var finishedCounts: [String: Int] = [:]
    }

    let keepPerStream: Int
    private let state = Mutex(State())

    init(keepPerStream: Int) {
        self.keepPerStream = max(1, keepPerStream)
    }

    /// Starts `work` in a task of its own; its reports are kept once it ends.
    func start(_ work: @escaping @Sendable () async -> [StreamRunReport]) {
        state.withLock { state in
            state.nextID += 1
            let id = state.nextID
            // Created under the lock: if the work ends at once, `end` waits for the task to be listed.
            state.running[id] = Task { [self] in
                let reports = await work()
                end(id, reports)
            }
        }
    }

    private func end(_ id: UInt64, _ reports: [StreamRunReport]) {
        let keep = keepPerStream
        state.withLock { state in
            state.running[id] = nil
            for report in reports {
                state.finishedCounts[report.target, default: 0] += 1
                var kept = state.finished[report.target, default: []]
                kept.append(report)
                if kept.count > keep { kept.removeFirst(kept.count - keep) }
                state.finished[report.target] = kept
            }
        }
    }

    /// Runs not yet ended.
    var runningCount: Int { state.withLock { $0.running.count } }

    /// The newest finished reports of one stream (`<entity>/<OBJECT>`), oldest first.
    func recent(_ streamID: String) -> [StreamRunReport] { state.withLock { $0.finished[streamID] ?? [] } }

    /// How many runs of one stream have finished since the service started (kept or not).
    func finishedCount(_ streamID: String) -> Int { state.withLock { $0.finishedCounts[streamID] ?? 0 } }

    /// Finished reports kept, over every stream.
    var keptCount: Int { state.withLock { $0.finished.values.reduce(0) { $0 + $1.count } } }

    /// Returns once every run started so far (and any started meanwhile) has ended.
    func waitAll() async {
        while let task = state.withLock({ $0.running.values.first }) { await task.value }
    }
}
