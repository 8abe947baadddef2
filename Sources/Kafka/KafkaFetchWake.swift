import CRdKafka

/// When a consumer should wake librdkafka's fetchers, and whether it needs to at all.
///
/// librdkafka before 2.1.1 (Debian 12 ships 2.0.2) stops fetching once the prefetch queue holds
/// `queued.min.messages` records or `queued.max.messages.kbytes`, and looks again only when the
/// leader's broker thread next wakes: on network or operation activity for that broker, at the latest
/// after a second. 2.1.1 added `fetch.queue.backoff.ms` for that wait. Without it a consumer that
/// drains a backlog faster than one queue a second spends the rest of each second waiting for a fetch
/// nobody starts.
///
/// So the consumer wakes them itself. When a poll empties the queue (it returned fewer records than
/// asked) after a run of polls that took at least half of either cap since the queue was last empty,
/// the fetchers may have stopped at the cap: the consumer asks each leader for its partitions' latest
/// offsets. The request is small and changes nothing; its arrival on the broker thread is what makes
/// it look at the queue again. Never two at a time. A consumer that keeps up with a trickle of
/// records, or is idle, never takes half a cap in one run, and wakes nothing.
struct KafkaFetchWake {
    /// Whether this librdkafka needs the wake: it lacks `fetch.queue.backoff.ms` (before 2.1.1).
    static let isNeeded = rd_kafka_version() < 0x0201_0100

    private let recordThreshold: Int
    private let byteThreshold: Int
    private var runRecords = 0
    private var runBytes = 0
    private var inFlight = false
    /// Wakes the leaders answered, for tests and diagnostics.
    private(set) var answered = 0

    /// - Parameters: the consumer's `queued.min.messages` and `queued.max.messages.kbytes` (nil:
    ///   librdkafka's defaults, 100,000 records and 65,536 KB).
    init(queuedMinMessages: Int?, queuedMaxKilobytes: Int?) {
        recordThreshold = max(1, (queuedMinMessages ?? 100_000) / 2)
        byteThreshold = max(1, (queuedMaxKilobytes ?? 65_536) * 1024 / 2)
    }

    /// Notes a poll that asked for `asked` records and got `records` of `bytes` (keys and values); true
    /// when the caller should wake the fetchers now (and call `finished(answered:)` once that is done).
    mutating func polled(asked: Int, records: Int, bytes: Int) -> Bool {
        runRecords += records
        runBytes += bytes
        guard records < asked else { return false }  // the queue may hold more: the run goes on
        defer { (runRecords, runBytes) = (0, 0) }
        guard runRecords >= recordThreshold || runBytes >= byteThreshold, !inFlight else { return false }
        inFlight = true
        return true
    }

    /// The wake started by the last `true` from `polled` is done; `answered` if every leader answered.
    mutating func finished(answered: Bool) {
        inFlight = false
        if answered { self.answered += 1 }
    }
}
