import Foundation
import Logging
import Synchronization
import Operations

/// Counts the rows read across the streams of a run, once Kafka acknowledged them (rows the overlap
/// re-read found already published count too: Intacct's `totalcount` counts them), and reports them: a
/// live line on an interactive terminal (records, rate, ETA from the streams' `totalcount`s), or a log
/// line every `interval` for the service. Every stream of a run reads at once through one request queue,
/// so the rate is the queue's and the ETA is the time left for everything announced.
public final class PollProgress: Sendable {
    public enum Mode: Sendable {
        case terminal
        case log(interval: Duration)
        case silent
    }

    private struct State {
        var published = 0
        /// Per stream: the total Intacct announced on its first page of this run.
        var expected: [String: Int] = [:]
        var done: [String: Int] = [:]
        var lastDrawn: ContinuousClock.Instant?
    }

    private let mode: Mode
    private let logger: Logger
    private let clock: any ServiceClock
    private let started: ContinuousClock.Instant
    private let state = Mutex(State())

    public init(mode: Mode, logger: Logger, clock: any ServiceClock = .system) {
        self.mode = mode
        self.logger = logger
        self.clock = clock
        started = clock.now
    }

    /// The mode for a `--once` run: a live line when stderr is a terminal, quiet otherwise.
    public static func forOnce(logger: Logger) -> PollProgress {
        PollProgress(mode: isatty(STDERR_FILENO) == 1 ? .terminal : .silent, logger: logger)
    }

    /// Records `count` rows read and acknowledged on `stream`; `announced` is the first page's totalcount.
    public func record(stream: String, count: Int, announced: Int?) {
        let now = clock.now
        let line: String? = state.withLock { state in
            state.published += count
            if let announced, state.expected[stream] == nil { state.expected[stream] = announced }
            state.done[stream, default: 0] += count
            guard case .terminal = mode, state.lastDrawn.map({ now - $0 >= .milliseconds(200) }) ?? true else { return nil }
            state.lastDrawn = now
            return describe(state, at: now)
        }
        if let line { FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8)) }
    }

    /// One line: records so far, rate, and time left if the totals are known.
    public func describe() -> String {
        let now = clock.now
        return state.withLock { describe($0, at: now) }
    }

    /// Ends the live line.
    public func finish() {
        guard case .terminal = mode else { return }
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + describe() + "\n").utf8))
    }

    /// Logs progress every interval until the task is cancelled (service mode).
    public func logPeriodically() async {
        guard case let .log(interval) = mode else { return }
        while !Task.isCancelled {
            try? await clock.sleep(for: interval)
            if Task.isCancelled { return }
            logger.info("poll progress", metadata: ["progress": "\(describe())"])
        }
    }

    private func describe(_ state: State, at now: ContinuousClock.Instant) -> String {
        let running = now - started
        let elapsed = max(0.001, Double(running.components.seconds) + Double(running.components.attoseconds) / 1e18)
        let rate = Double(state.published) / elapsed
        var text = "\(state.published) records, \(Int(rate.rounded())) records/s"
        let remaining = state.expected.reduce(0) { $0 + max(0, $1.value - (state.done[$1.key] ?? 0)) }
        if !state.expected.isEmpty, rate > 0 {
            let total = state.expected.values.reduce(0, +)
            let seconds = Int((Double(remaining) / rate).rounded())
            text += String(format: ", %d of ~%d, ETA %d:%02d", state.published, total, seconds / 60, seconds % 60)
        }
        return text
    }
}
