import Foundation
import Logging
import ServiceLifecycle
import Operations
import RecordContract
import Synchronization

/// The long-running poller: runs every stream once at start-up, then each on its schedule (cron or the
/// close-cycle profile), reconciles keys on the reconciliation cron, and serves `POST /sync`. On graceful
/// shutdown (SIGTERM) each running stream finishes its current page, writes that page's watermark and stops.
public final class PollerService: Service, Sendable {
    private let runtime: PollerRuntime
    private let progress: PollProgress
    private let logger: Logger
    /// The runtime's clock: the schedule reads the time there, so tests move it instead of waiting for a cron minute.
    private let clock: any ServiceClock
    /// How often the schedule looks at the clock.
    private let tick: Duration
    private let runs: RunHistory
    private let operations = Mutex<OperationsServer?>(nil)

    /// - Parameters:
    ///   - tick: how often the schedule looks at the runtime's clock for streams that are due.
    ///   - keepRunsPerStream: finished run reports kept per stream (`recentRuns(of:)`); older ones are dropped.
    public init(runtime: PollerRuntime, logger: Logger, tick: Duration = .seconds(1), keepRunsPerStream: Int = 10) {
        self.runtime = runtime
        self.logger = logger
        clock = runtime.context.clock
        self.tick = tick
        runs = RunHistory(keepPerStream: keepRunsPerStream)
        progress = PollProgress(mode: .log(interval: runtime.configuration.poller.progressInterval), logger: logger, clock: clock)
    }

    /// Registers `POST /sync` on the operations server. Body (optional): `{"object":"APBILL","entity":"E100","reconcile":false}`.
    public func register(on server: OperationsServer) async {
        operations.withLock { $0 = server }
        await server.addRoute("POST /sync") { [self] body, _ in
            await sync(body: body)
        }
    }

    /// The newest finished runs of a stream, oldest first (at most `keepRunsPerStream`).
    public func recentRuns(of target: PollTarget) -> [StreamRunReport] { runs.recent(target.id) }

    /// How many runs of a stream have finished since the service started.
    public func finishedRunCount(of target: PollTarget) -> Int { runs.finishedCount(target.id) }

    /// Runs (schedule ticks and syncs) not yet ended.
    public var runsInProgress: Int { runs.runningCount }

    /// Finished run reports kept over every stream: bounded by streams × `keepRunsPerStream`.
    public var keptRunReports: Int { runs.keptCount }

    /// Starts an on-demand run and answers at once with what it started. Streams already running are
    /// not started again (`already_running`): their current run picks up what this one would have read.
    func sync(body: Data) async -> (status: Int, json: String) {
        var object: String?, entity: String?, reconcile = false
        if !body.isEmpty {
            guard let json = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] else {
                return (400, #"{"error":"body must be a JSON object such as {\"object\":\"APBILL\",\"entity\":\"E100\"}"}"#)
            }
            object = json["object"] as? String
            entity = json["entity"] as? String
            reconcile = json["reconcile"] as? Bool ?? false
        }
        guard !runtime.context.shutdown.isRequested else { return (503, #"{"error":"shutting down"}"#) }
        let targets = runtime.coordinator.select(object: object, entity: entity)
        guard !targets.isEmpty else {
            return (404, #"{"error":"no configured stream matches"}"#)
        }
        let coordinator = runtime.coordinator, progress = progress
        // Claimed before answering, so the answer says which streams this call really started.
        // The run is started (and audited, with what it skipped) even if every stream was already running.
        let claim = await coordinator.claim(targets)
        let reconcileNow = reconcile
        runs.start { await coordinator.run(claim, trigger: "sync", reconcile: { _ in reconcileNow }, progress: progress) }
        var out = JSONWriter()
        out.beginObject()
        out.key("started")
        out.beginArray()
        for target in claim.started { out.string(target.id) }
        out.endArray()
        out.key("already_running")
        out.beginArray()
        for target in claim.skipped { out.string(target.id) }
        out.endArray()
        out.endObject()
        return (202, String(decoding: out.bytes, as: UTF8.self))
    }

    public func run() async throws {
        let shutdown = runtime.context.shutdown
        if let operations = operations.withLock({ $0 }) {
            let logger = logger
            Task { if let port = try? await operations.boundPort() { logger.info("operations HTTP server listening", metadata: ["port": "\(port)"]) } }
        }
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { [progress] in await progress.logPeriodically() }
                await schedule()
                group.cancelAll()
            }
        } onGracefulShutdown: { [logger] in
            logger.info("shutdown requested: finishing current pages")
            shutdown.request()
        }
        await runs.waitAll()
        await runtime.close()
    }

    /// The scheduling loop: wakes every tick to start what is due, until shutdown.
    private func schedule() async {
        let coordinator = runtime.coordinator, progress = progress
        let shutdown = runtime.context.shutdown
        var timetable = ScheduleTimetable(targets: coordinator.targets, reconciliation: runtime.configuration.poller.reconciliation,
                                          start: clock.date)
        let balances = runtime.balances
        var balancesDue = balances.flatMap { $0.settings.schedule.next(after: clock.date) }
        while !shutdown.isRequested {
            if let balances, let due = balancesDue, clock.date >= due {
                balancesDue = balances.settings.schedule.next(after: clock.date)
                runs.start { _ = await balances.run(runID: "balances-\(Int(due.timeIntervalSince1970))"); return [] }
            }
            if let batch = timetable.take(at: clock.date) {
                runs.start {
                    await coordinator.run(batch.targets, trigger: batch.trigger, reconcile: { batch.reconcile.contains($0) },
                                          progress: progress)
                }
            }
            try? await clock.sleep(for: tick)
        }
    }
}
