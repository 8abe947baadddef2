import Foundation
import Logging

/// Counts published records across the streams of a run and reports them: a live line on an
/// interactive terminal (records, rate, ETA from Intacct's `totalcount`), or a log line every
/// `interval` for the service.
public final class PollProgress: @unchecked Sendable {
    public enum Mode: Sendable {
        case terminal
        case log(interval: Duration)
        case silent
    }

    private let lock = NSLock()
    private let mode: Mode
    private let logger: Logger
    private let started = Date()
    private var published = 0
    /// Per stream: the total Intacct announced on its first page of this run.
    private var expected: [String: Int] = [:]
    private var done: [String: Int] = [:]
    private var lastDrawn = Date.distantPast

    public init(mode: Mode, logger: Logger) {
        self.mode = mode
        self.logger = logger
    }

    /// The mode for a `--once` run: a live line when stderr is a terminal, quiet otherwise.
    public static func forOnce(logger: Logger) -> PollProgress {
        PollProgress(mode: isatty(STDERR_FILENO) == 1 ? .terminal : .silent, logger: logger)
    }

    /// Records `count` records published on `stream`; `announced` is the first page's totalcount.
    public func record(stream: String, count: Int, announced: Int?) {
        let line: String? = lock.withLock {
            published += count
            if let announced, expected[stream] == nil { expected[stream] = announced }
            done[stream, default: 0] += count
            guard case .terminal = mode, Date().timeIntervalSince(lastDrawn) >= 0.2 else { return nil }
            lastDrawn = Date()
            return describeLocked()
        }
        if let line { FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8)) }
    }

    /// One line: records so far, rate, and time left if the totals are known.
    public func describe() -> String { lock.withLock { describeLocked() } }

    /// Ends the live line.
    public func finish() {
        guard case .terminal = mode else { return }
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + describe() + "\n").utf8))
    }

    /// Logs progress every interval until the task is cancelled (service mode).
    public func logPeriodically() async {
        guard case let .log(interval) = mode else { return }
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            if Task.isCancelled { return }
            logger.info("poll progress", metadata: ["progress": "\(describe())"])
        }
    }

    private func describeLocked() -> String {
        let elapsed = max(0.001, Date().timeIntervalSince(started))
        let rate = Double(published) / elapsed
        var text = "\(published) records, \(Int(rate.rounded())) records/s"
        let remaining = expected.reduce(0) { $0 + max(0, $1.value - (done[$1.key] ?? 0)) }
        if !expected.isEmpty, rate > 0 {
            let total = expected.values.reduce(0, +)
            let seconds = Int((Double(remaining) / rate).rounded())
            text += String(format: ", %d of ~%d, ETA %d:%02d", published, total, seconds / 60, seconds % 60)
        }
        return text
    }
}
