import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Synchronization
import Kafka
import Operations
import Timestamps

/// One consumer-group member moving one scope's records into BigQuery.
///
/// The loop: poll → route each message to its table's batch (or a dead letter) → send the batches
/// that are due (tables in parallel, each table's batches in order) → mark and commit the offsets of
/// what is now in BigQuery or acknowledged by the DLQ topic. Nothing is committed before that.
///
/// Exactly once (docs/loader.md): whenever reading a partition (re)starts — at start-up, on an
/// assignment, when a rebalance rewinds it to the committed offset — the batch holding that first
/// record carries a read start, and before it is written the worker asks BigQuery which offsets from
/// there on the table already holds and leaves those rows out. A batch that failed is checked again
/// before it is sent again. So a crash (or a failure) between BigQuery's commit and Kafka's doubles
/// nothing, and a partly written insertAll batch is completed, not repeated.
///
/// When BigQuery (or the DLQ topic) is unavailable the worker keeps its batches, pauses every assigned
/// partition, keeps calling `poll` so it stays in the group, reports not-ready with the reason, and
/// tries again with jittered backoff until it works. It never exits because of an outage.
public final class LoaderWorker: Sendable {
    public let scope: LoaderScope
    /// Identifies this member in logs and load summaries.
    public let name: String
    private let consumer: KafkaConsumer
    /// Adds typed columns for fields the poller discovered (docs/schema-discovery.md); nil: they stay in `_raw`.
    private let widening: SchemaWidening?
    /// Writes one table's rows (insertAll or the Storage Write API).
    private let sink: any RowSink
    /// Learns which offsets a table already holds.
    private let offsetCheck: LoadedOffsetCheck
    /// Test-only crash point; nil in production.
    private let failpoint: LoaderFailpoint?
    private let deadLetters: DeadLetterPublisher
    /// Publishes load summaries to the audit topic; `nil` unless `audit: true`.
    private let summaries: KafkaProducer?
    private let health: LoaderHealth
    private let settings: LoaderSettings
    private let logger: Logger
    /// Linger, the commit throttle and outage backoff read the time here.
    private let clock: any ServiceClock
    private let state: Mutex<State>

    /// What changes while the worker runs. The poll loop's task writes it all; other tasks read
    /// `holding`. A lock, not an actor: every access is a short value change on the hot path that
    /// never waits, and `holding` stays readable without `await`.
    private struct State {
        var router: MessageRouter
        /// When marked offsets were last committed.
        var lastCommit: ContinuousClock.Instant
        var hasUncommittedMarks = false
        var holding = Holding(records: 0, peakRecords: 0, isPaused: false, pauses: 0, budget: 0)
        /// The partitions owned at the last look, to see which ones are new.
        var owned: Set<KafkaTopicPartition> = []
        /// The offset of the last record routed per partition; a record at or below it means reading
        /// was rewound (a rebalance handed the partition back at its committed offset).
        var lastRead: [KafkaTopicPartition: Int64] = [:]
        /// What BigQuery already held at or above the last read start, per partition; a row whose version
        /// it holds at the row's offset is not written again. Dropped once reading has passed the last of them.
        var loaded: [KafkaTopicPartition: LoadedOffsets] = [:]
        /// Batches BigQuery (or the DLQ topic) answered for: how the outage loop tells an answer from a
        /// flush that had nothing left to send.
        var batchesSent = 0
    }

    /// What a worker holds in memory (records routed, in flight or kept for a retry), as `HoldingBudget` bounds it.
    public struct Holding: Sendable, Equatable {
        public var records: Int
        /// The most it held at once so far.
        public var peakRecords: Int
        /// Whether the budget has its partitions paused now.
        public var isPaused: Bool
        /// How often the budget paused them.
        public var pauses: Int
        /// `max_buffered_rows`.
        public var budget: Int
    }

    /// What this worker holds now and held at most (benchmarks, tests, `ibq_loader_held_records`).
    public var holding: Holding { state.withLock { $0.holding } }

    package init(scope: LoaderScope, name: String, consumer: KafkaConsumer, router: MessageRouter, sink: any RowSink,
         offsetCheck: LoadedOffsetCheck, deadLetters: DeadLetterPublisher, summaries: KafkaProducer?, health: LoaderHealth,
         settings: LoaderSettings, logger: Logger, widening: SchemaWidening?, clock: any ServiceClock, failpoint: LoaderFailpoint? = nil) {
        self.scope = scope
        self.widening = widening
        self.name = name
        self.consumer = consumer
        self.clock = clock
        state = Mutex(State(router: router, lastCommit: clock.now))
        self.sink = sink
        self.offsetCheck = offsetCheck
        self.failpoint = failpoint
        self.deadLetters = deadLetters
        self.summaries = summaries
        self.health = health
        self.settings = settings
        var logger = logger
        logger[metadataKey: "group"] = "\(scope.groupID)"
        self.logger = logger
    }

    /// While BigQuery is unavailable: since when, why, and when to try again.
    private struct Outage {
        var since: ContinuousClock.Instant
        /// For people reading `/readyz`: `since` on the wall clock.
        var sinceDate: Date
        var attempts: Int
        var nextAttempt: ContinuousClock.Instant
        /// The last attempt's error as thrown; rendered only into log metadata and the readiness reason.
        var failure: any Error
    }

    /// Runs until graceful shutdown (or cancellation); then sends what it can, commits and leaves the group.
    public func run() async throws {
        try consumer.subscribe(topics: [scope.subscription])
        logger.info("loader worker started", metadata: ["subscription": "\(scope.subscription)", "worker": "\(name)"])
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [consumer, logger, clock] in await Self.reportLag(consumer: consumer, clock: clock, logger: logger) }
            defer { group.cancelAll() }
            try await loop()
        }
        health.set(name, notReadyBecause: "shutting down")
        do { try await consumer.close() } catch { logger.warning("leaving the consumer group failed: \(error)") }
        logger.info("loader worker stopped", metadata: ["worker": "\(name)"])
    }

    private func loop() async throws {
        var batcher = TableBatcher(policy: settings.batchPolicy)
        var budget = HoldingBudget(limit: settings.maxBufferedRows)
        state.withLock { $0.holding.budget = budget.limit }
        var outage: Outage?
        // Polled messages whose tables BigQuery could not prepare yet (it failed, retryably): routed before
        // anything polled after them, once it answers. Only ever held during an outage.
        var unrouted: [KafkaMessage] = []
        let backoff = Backoff(initial: .milliseconds(250), maximum: .milliseconds(settings.retryMaxMilliseconds), maxRetries: nil)

        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let now = clock.now
            if var current = outage {
                // Hold: stay in the group, fetch nothing new, keep every batch. A rebalance can leave
                // nothing held (entries of revoked partitions are dropped, to be read again): then fetch,
                // so the next attempt has something to prove BigQuery with.
                if batcher.isEmpty && unrouted.isEmpty { try resumeAssigned() } else { try pauseAssigned() }
                let wait = min(max(current.nextAttempt - now, .milliseconds(10)), .milliseconds(500))
                let room = max(1, settings.maxBufferedRows - batcher.bufferedEntries - unrouted.count)
                let polled = try await consumer.poll(maxMessages: min(room, settings.batchRows), timeout: wait)
                if !unrouted.isEmpty {
                    unrouted += polled
                } else if await route(polled, into: &batcher) != nil {
                    unrouted = polled
                }
                noteHolding(batcher.bufferedEntries + unrouted.count, budget: budget)
                guard clock.now >= current.nextAttempt, !batcher.isEmpty || !unrouted.isEmpty else { continue }
                let sentBefore = state.withLock { $0.batchesSent }
                let waiting = unrouted
                var failure = waiting.isEmpty ? nil : await route(waiting, into: &batcher)
                if failure == nil {
                    unrouted = []
                    failure = await flush(&batcher, force: true)
                    if failure == nil && waiting.isEmpty && state.withLock({ $0.batchesSent }) == sentBefore {
                        // Nothing reached BigQuery (everything held belonged to revoked partitions): no answer
                        // either way; the outage goes on, and this was not an attempt.
                        continue
                    }
                }
                if let error = failure {
                    current.attempts += 1
                    current.failure = error
                    current.nextAttempt = clock.now + backoff.delay(attempt: current.attempts)
                    Counter(label: "ibq_loader_retries_total", dimensions: [("reason", Self.label(error))]).increment()
                    health.set(name, notReadyBecause: notReadyText(current))
                    outage = current
                } else {
                    logger.notice("BigQuery answers again; resuming", metadata: [
                        "outage_seconds": "\((clock.now - current.since).components.seconds)", "attempts": "\(current.attempts)",
                    ])
                    outage = nil
                    health.set(name, notReadyBecause: nil)
                    try resumeAssigned()
                }
                continue
            }

            // Bounded memory, whatever the backlog: at the budget the partitions pause (and stay paused
            // across rebalances and outages) until half of what is held is in BigQuery.
            let held = batcher.bufferedEntries
            switch budget.update(holding: held) {
            case .pause?:
                logger.info("holding \(held) records, the budget; pausing consumption until half of them are loaded")
                try pauseAssigned()
            case .resume?:
                try resumeAssigned()
            case nil:
                // A rebalance hands partitions over unpaused, and the end of an outage resumes them all.
                if budget.isPaused { try pauseAssigned() }
            }
            // Send what is due while the next records are fetched and converted: BigQuery's latency and
            // the routing CPU overlap instead of adding up. New rows join the batcher only after the
            // send settled, so anything put back stays ahead of them. Paused, everything goes (the
            // sooner it is down to the resume level, the sooner records flow again).
            let room = budget.room(holding: held)
            let due = batcher.takeDue(at: now, force: budget.isPaused)
            async let sent = send(due)
            let timeout = due.isEmpty
                ? batcher.nextDeadline.map { min(max($0 - now, .milliseconds(5)), .milliseconds(500)) } ?? .milliseconds(500)
                : .milliseconds(5)
            // Several batches' worth per poll: fewer loop turns, and more rows per parallel routing pass.
            // Polled even when paused (it returns nothing then): that is what serves the group.
            let polled = try await consumer.poll(maxMessages: max(1, min(room, settings.batchRows * 4)), timeout: timeout)
            var outcomes: [[MessageRouter.Outcome]] = []
            var unprepared: (any Error)?
            do { outcomes = try await route(polled) } catch {
                unrouted = polled
                unprepared = error
            }
            noteHolding(held + outcomes.reduce(0) { $0 + $1.count } + unrouted.count, budget: budget)
            let failure = await settle(await sent, into: &batcher) ?? unprepared
            add(outcomes, to: &batcher)
            await commitIfDue()
            if let failure {
                let enteredAt = clock.now
                let entered = Outage(since: enteredAt, sinceDate: clock.date, attempts: 0, nextAttempt: enteredAt + backoff.delay(attempt: 0),
                                     failure: failure)
                Counter(label: "ibq_loader_retries_total", dimensions: [("reason", Self.label(failure))]).increment()
                let cause = LoadFailure.Cause(failure)
                logger.error("cannot load (\(cause.system) failed); pausing consumption and holding \(batcher.bufferedEntries + unrouted.count) entries",
                             metadata: cause.logMetadata)
                health.set(name, notReadyBecause: notReadyText(entered))
                await LoadFailure(failure, worker: name, entity: scope.entity, at: clock.date).publish(to: summaries, company: scope.company, logger: logger)
                try pauseAssigned()
                outage = entered
            }
        }

        // Graceful shutdown: send what can be sent, once; what cannot stays uncommitted and is re-read.
        health.set(name, notReadyBecause: "shutting down")
        if !unrouted.isEmpty { logger.notice("\(unrouted.count) records still wait for their tables; read again after restart") }
        if Task.isCancelled {
            // The shutdown deadline is near: nothing more is sent; the uncommitted records are read again after restart.
            if !batcher.isEmpty { logger.notice("cancelled; \(batcher.bufferedEntries) entries left unsent, read again after restart") }
        } else if outage == nil, !batcher.isEmpty, let error = await flush(&batcher, force: true) {
            logger.warning("final flush failed; those records will be loaded after restart", metadata: LoadFailure.Cause(error).logMetadata)
        }
    }

    /// Records what is held now (`held`: everything routed, in flight or waiting, at this moment).
    private func noteHolding(_ held: Int, budget: HoldingBudget) {
        state.withLock {
            $0.holding.records = held
            $0.holding.peakRecords = max($0.holding.peakRecords, held)
            $0.holding.isPaused = budget.isPaused
            $0.holding.pauses = budget.pauses
        }
        Gauge(label: "ibq_loader_held_records", dimensions: [("group", scope.groupID)]).record(Double(held))
    }

    private func notReadyText(_ outage: Outage) -> String {
        "\(LoadFailure.Cause(outage.failure).system) unavailable since \(IntacctTimestamp.iso8601(outage.sinceDate)) (\(outage.attempts) retries): \(outage.failure)"
    }

    /// Routes `messages` into the batcher, or returns why their tables cannot be prepared yet (then nothing
    /// of them is routed: the caller holds them and tries again).
    private func route(_ messages: [KafkaMessage], into batcher: inout TableBatcher) async -> (any Error)? {
        do {
            add(try await route(messages), to: &batcher)
            return nil
        } catch {
            return error
        }
    }

    /// Converts messages to rows or dead letters, in consumption order: one run per routing lane, left
    /// apart (joining them would copy every outcome once more). Throws, routing nothing, when BigQuery
    /// failed (retryably) to prepare a table they need (`SchemaWidening.prepare(messages:)`).
    private func route(_ messages: [KafkaMessage]) async throws -> [[MessageRouter.Outcome]] {
        guard !messages.isEmpty else { return [] }
        if let widening {
            let (changed, retry) = await widening.prepare(messages: messages)
            if !changed.isEmpty { state.withLock { $0.router = $0.router.updating(changed) } }
            if let retry { throw retry }
        }
        let loadedAt = clock.date
        let router = state.withLock { $0.router }
        // Decoding, hashing and typing dominate a worker's CPU; spread a large poll over the cores and
        // keep consumption order, which commit ordering relies on.
        let lanes = messages.count >= 64 ? max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8)) : 1
        if lanes == 1 { return [router.route(messages, loadedAt: loadedAt)] }
        let size = (messages.count + lanes - 1) / lanes
        return await withTaskGroup(of: (Int, [MessageRouter.Outcome]).self) { group in
            for lane in 0..<lanes {
                let slice = messages[min(lane * size, messages.count)..<min((lane + 1) * size, messages.count)]
                group.addTask { (lane, router.route(slice, loadedAt: loadedAt)) }
            }
            var parts = Array(repeating: [MessageRouter.Outcome](), count: lanes)
            for await (lane, part) in group { parts[lane] = part }
            return parts
        }
    }

    private func add(_ outcomes: [[MessageRouter.Outcome]], to batcher: inout TableBatcher) {
        let now = clock.now
        // A partition new to this member starts a read whatever its offsets: another member may have
        // loaded (and not committed) past where this one last read it. What is held of it is dropped: the
        // new read starts at the committed offset, at or below it. When the assignment cannot be read,
        // nothing is assumed (dropping entries that are not delivered again would lose them).
        let arrived: Set<KafkaTopicPartition> = (try? consumer.assignment()).map { owned in
            state.withLock { state in
                let arrived = owned.subtracting(state.owned)
                for partition in arrived { state.lastRead[partition] = nil }
                state.owned = owned
                return arrived
            }
        } ?? []
        var lastRead = state.withLock { $0.lastRead }
        var discarded = 0
        for partition in arrived { discarded += batcher.discard(partition, from: .min) }
        defer {
            if discarded > 0 {
                logger.info("dropped held entries that are read again after a rebalance", metadata: ["entries": "\(discarded)"])
            }
        }
        // The previous record's coordinates, not yet in `lastRead`: records come in runs of one partition,
        // and within a run the last offset read is the previous record's (compared, not looked up).
        var previous: KafkaCoordinates?
        for outcome in outcomes.joined() {
            let table: String, source: KafkaCoordinates
            switch outcome {
            case let .row(rowTable, row): (table, source) = (rowTable, row.source)
            case let .deadLetter(letterTable, letter): (table, source) = (letterTable, letter.source)
            }
            let last: Int64?
            if let previous, previous.partition == source.partition, previous.topic == source.topic {
                last = previous.offset
            } else {
                if let previous { lastRead[previous.topicPartition] = previous.offset }
                last = lastRead[source.topicPartition]
            }
            let rewound = last.map { source.offset <= $0 } ?? true
            // A rewind (a rebalance that handed the partition back at its committed offset) re-delivers
            // what is still held: the held copies go, the new ones are checked against BigQuery.
            if rewound, last != nil { discarded += batcher.discard(source.topicPartition, from: source.offset) }
            switch outcome {
            case let .row(_, row): batcher.add(row, table: table, at: now)
            case let .deadLetter(_, letter): batcher.add(letter, table: table, at: now)
            }
            if rewound { batcher.noteReadStart(source.topicPartition, at: source.offset, table: table) }
            previous = source
        }
        if let previous { lastRead[previous.topicPartition] = previous.offset }
        state.withLock { $0.lastRead = lastRead }
    }

    // MARK: Flushing

    private struct TableFlush: Sendable {
        var table: String
        var completed: [LoadSummary]
        var leftover: [LoadBatch]
        var error: Error?
    }

    /// Sends due batches (all with `force`) and commits what completed. Returns the first failure; the
    /// batches it concerns are back in `batcher`, ahead of newer ones of their table.
    private func flush(_ batcher: inout TableBatcher, force: Bool) async -> Error? {
        await settle(await send(batcher.takeDue(at: clock.now, force: force)), into: &batcher)
    }

    /// Sends each table's batches in order, tables in parallel.
    private func send(_ due: [String: [LoadBatch]]) async -> [TableFlush] {
        guard !due.isEmpty else { return [] }
        return await withTaskGroup(of: TableFlush.self) { group in
            for (table, batches) in due {
                group.addTask { await self.flushTable(table, batches) }
            }
            var all: [TableFlush] = []
            for await result in group { all.append(result) }
            return all
        }
    }

    /// Marks and commits the offsets of completed batches, puts the others back, publishes summaries.
    private func settle(_ results: [TableFlush], into batcher: inout TableBatcher) async -> Error? {
        var firstError: Error?
        var summaries: [LoadSummary] = []
        for result in results {
            for summary in result.completed {
                for (partition, next) in summary.offsets {
                    consumer.markProcessed(topic: partition.topic, partition: partition.partition, nextOffset: next)
                }
            }
            summaries += result.completed
            batcher.putBack(result.leftover, table: result.table)
            if firstError == nil { firstError = result.error }
        }
        if !summaries.isEmpty {
            await publish(summaries)
        }
        if !summaries.isEmpty { state.withLock { $0.hasUncommittedMarks = true } }
        await commitIfDue(force: firstError != nil)
        return firstError
    }

    /// Commits marked offsets at most a few times a second (every loop turn calls this, so marks are
    /// committed within a poll timeout of being made). Marks are safe meanwhile — they are committed on
    /// revoke and on close too — and a synchronous commit per batch would cost a broker round trip each.
    private func commitIfDue(force: Bool = false) async {
        let now = clock.now
        let due = state.withLock { state in
            guard state.hasUncommittedMarks, force || now - state.lastCommit >= .milliseconds(250) else { return false }
            state.lastCommit = now
            state.hasUncommittedMarks = false
            return true
        }
        guard due else { return }
        do { try await consumer.commitMarked() } catch {
            // Kept marked: committed by the next call or on revoke. Re-reading is harmless.
            state.withLock { $0.hasUncommittedMarks = true }
            logger.warning("offset commit failed; will retry", metadata: LoadFailure.Cause(error).logMetadata)
        }
    }

    private func flushTable(_ table: String, _ batches: [LoadBatch]) async -> TableFlush {
        var completed: [LoadSummary] = []
        for (position, original) in batches.enumerated() {
            let started = clock.now
            do {
                // Only partitions still owned count as done. A lost partition's entries are left out, and
                // if a rebalance handed it back before this batch settles, marking its offsets would commit
                // past records nobody wrote: its new read could start there and skip them.
                let owned = try consumer.assignment()
                let offsets = original.commitOffsets.filter { owned.contains($0.key) }
                let batch = try await withoutLoadedRows(original, owned: owned, offsets: offsets, table: table)
                let partitions = batch.rowPartitions
                let rejected = try await sink.write(batch.rows, table: table) { [consumer] in
                    // The Write API's append is the moment rows become visible: refuse it for partitions a
                    // rebalance moved meanwhile, so their new owner's check cannot miss rows landing later.
                    let lost = partitions.subtracting(try consumer.assignment())
                    if !lost.isEmpty { throw PartitionsLost(table: table, partitions: Array(lost)) }
                }
                try await deadLetters.publish(batch.deadLetters + rejected)
                // Rows written, or a check BigQuery answered (it may have found the whole batch loaded).
                if !batch.isEmpty || !batch.readStarts.isEmpty { state.withLock { $0.batchesSent += 1 } }
                if failpoint == .killAfterBigQueryCommit {
                    logger.critical("failpoint \(LoaderFailpoint.killAfterBigQueryCommit.rawValue): killing the worker after BigQuery's commit, before Kafka's")
                    kill(getpid(), SIGKILL)
                }
                let loaded = batch.rows.count - rejected.count
                let summary = LoadSummary(worker: name, entity: scope.entity, table: table, rows: loaded,
                                          deadLetters: batch.deadLetters.count + rejected.count, offsets: offsets,
                                          latency: clock.now - started, at: clock.date)
                Counter(label: "ibq_loader_rows_loaded_total", dimensions: [("table", table)]).increment(by: loaded)
                Counter(label: "ibq_loader_batches_total", dimensions: [("table", table)]).increment()
                logger.info("flushed batch", metadata: [
                    "table": "\(table)", "rows": "\(loaded)", "dead_letters": "\(summary.deadLetters)",
                    "offsets": "\(summary.offsetsText)", "latency_ms": "\(summary.latencyMilliseconds)",
                ])
                completed.append(summary)
            } catch let lost as PartitionsLost {
                // Not an outage. Usually nothing of it was committed, but a bisected batch may have committed a
                // part: it is checked again before it goes, without the lost partitions' rows.
                logger.info("did not commit a batch: \(lost)", metadata: ["table": "\(table)"])
                return TableFlush(table: table, completed: completed, leftover: [original.requiringCheck()] + batches[(position + 1)...], error: nil)
            } catch {
                // Some of the failed batch may have landed: it is checked against BigQuery again before it goes again.
                let leftover = [original.requiringCheck()] + batches[(position + 1)...]
                return TableFlush(table: table, completed: completed, leftover: leftover, error: error)
            }
        }
        return TableFlush(table: table, completed: completed, leftover: [], error: nil)
    }

    /// How many offsets one identities query covers: bounds what a worker keeps per partition (a replay
    /// over a full table learns it a window at a time) and is at least a few batches, so the steady state
    /// after a crash or a rebalance asks once.
    private var identityWindow: Int64 { Int64(max(20_000, 2 * settings.batchRows)) }

    /// The batch as it should be written now: without the entries of partitions this member no longer
    /// owns (not in `owned`), and without the rows whose very version BigQuery already holds at their
    /// offset (learned first for the partitions whose read starts here). The offsets of the owned
    /// partitions (`offsets`) still count as done when it completes: the rows it left out are loaded.
    private func withoutLoadedRows(_ original: LoadBatch, owned: Set<KafkaTopicPartition>, offsets: [KafkaTopicPartition: Int64],
                                   table: String) async throws -> LoadBatch {
        var batch = original
        let foreign = batch.retain(owned: owned)
        if foreign > 0 {
            logger.info("dropped entries of partitions this worker no longer owns; their new owner loads them",
                        metadata: ["table": "\(table)", "entries": "\(foreign)"])
        }
        guard !table.hasPrefix("?") else { return batch }
        if !batch.readStarts.isEmpty {
            let highest = try await offsetCheck.highest(in: table, from: batch.readStarts)
            state.withLock { state in
                for partition in batch.readStarts.keys { state.loaded[partition] = highest[partition].map { LoadedOffsets(highest: $0) } }
            }
            logger.info("checked what BigQuery already holds from the read start on", metadata: [
                "table": "\(table)", "from": "\(batch.readStarts.map { "\($0.key.topic)/\($0.key.partition):\($0.value)" }.sorted())",
                "highest_loaded": "\(highest.map { "\($0.key.topic)/\($0.key.partition):\($0.value)" }.sorted())",
            ])
        }
        var loaded = state.withLock { $0.loaded }
        guard !loaded.isEmpty else { return batch }
        // One window per partition whose rows here are not covered yet (usually none): from the first
        // such row, at least `identityWindow` offsets and always to the batch's last row of it.
        var spans: [KafkaTopicPartition: ClosedRange<Int64>] = [:]
        for row in batch.rows {
            let partition = row.source.topicPartition, offset = row.source.offset
            guard let known = loaded[partition], known.needsWindow(for: offset) else { continue }
            spans[partition] = spans[partition].map { min($0.lowerBound, offset)...max($0.upperBound, offset) } ?? offset...offset
        }
        if !spans.isEmpty {
            let windows = spans.mapValues { $0.lowerBound..<max($0.lowerBound + identityWindow, $0.upperBound + 1) }
            let found = try await offsetCheck.identities(in: table, windows: windows)
            for (partition, window) in windows { loaded[partition]?.load(window: window, identities: found[partition] ?? [:]) }
        }
        var others = 0
        let skipped = batch.removeRows { row in
            guard let known = loaded[row.source.topicPartition] else { return false }
            switch known.verdict(at: row.source.offset, identity: RowIdentity.fingerprint(of: row)) {
            case .absent: return false
            case .loaded: return true
            case .other:
                others += 1
                return false
            }
        }
        if skipped > 0 {
            Counter(label: "ibq_loader_rows_skipped_total", dimensions: [("table", table)]).increment(by: skipped)
            logger.notice("left out rows BigQuery already holds (written before the last Kafka commit)",
                          metadata: ["table": "\(table)", "rows": "\(skipped)"])
        }
        if others > 0 {
            // Not this topic's rows at these offsets: it was recreated, or its broker lost its log. Writing is
            // right (nothing is lost); the operator should know the table holds rows of an older topic.
            logger.error("BigQuery holds other records at these offsets; the topic is not the one the table was loaded from. Writing them",
                         metadata: ["table": "\(table)", "rows": "\(others)"])
        }
        // Once reading has passed the highest loaded offset nothing more can match: forget it.
        for (partition, next) in offsets where (loaded[partition]?.highest ?? .max) < next - 1 {
            loaded[partition] = nil
        }
        state.withLock { state in
            for partition in offsets.keys { state.loaded[partition] = loaded[partition] }
        }
        return batch
    }

    /// Load summaries go to the audit topic (never for `_audit` itself, which would feed on itself).
    private func publish(_ completed: [LoadSummary]) async {
        guard let summaries else { return }
        let messages = completed.filter { $0.table != AuditTable.name && !$0.table.hasPrefix("?") }.map { $0.message(company: scope.company) }
        guard !messages.isEmpty else { return }
        do { _ = try await summaries.send(messages) } catch {
            logger.warning("could not publish load summaries to the audit topic", metadata: LoadFailure.Cause(error).logMetadata)
        }
    }

    // MARK: Partitions

    private func pauseAssigned() throws {
        let assigned = try consumer.assignment()
        if !assigned.isEmpty { try consumer.pause(Array(assigned)) }
    }

    private func resumeAssigned() throws {
        let assigned = try consumer.assignment()
        if !assigned.isEmpty { try consumer.resume(Array(assigned)) }
    }

    /// A short label for the retries metric.
    static func label(_ error: Error) -> String {
        switch error {
        case let error as BigQueryError: error.status.map { "bigquery_http_\($0)" } ?? "bigquery_\(error.kind.rawValue)"
        case is KafkaError: "kafka"
        default: "other"
        }
    }

    /// Publishes per-partition lag as a gauge every 15 s until cancelled.
    private static func reportLag(consumer: KafkaConsumer, clock: any ServiceClock, logger: Logger) async {
        while !Task.isCancelled {
            do { try await clock.sleep(for: .seconds(15)) } catch { return }
            guard let lags = try? await consumer.lag(timeout: .seconds(5)) else { continue }
            for (partition, lag) in lags {
                Gauge(label: "ibq_loader_consumer_lag", dimensions: [("topic", partition.topic), ("partition", "\(partition.partition)")])
                    .record(Double(lag.lag))
            }
        }
    }
}
