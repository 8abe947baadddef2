import Foundation
import Logging
import Timestamps

/// Runs streams: scheduled ticks, `--once` and `POST /sync` all come through here. A stream that is
/// already running is not started again (its next run picks up whatever this one missed), and at most
/// `parallelism` streams run at once; the Intacct client's throttle keeps the company's request limit
/// whatever the parallelism.
public actor PollCoordinator {
    public nonisolated let context: PollerContext
    public nonisolated let targets: [PollTarget]
    public nonisolated let parallelism: Int
    private var running: Set<String> = []

    public init(context: PollerContext, targets: [PollTarget], parallelism: Int) {
        self.context = context
        self.targets = targets
        self.parallelism = max(1, parallelism)
    }

    /// The configured streams matching an optional object and entity (case-insensitive).
    public nonisolated func select(object: String? = nil, entity: String? = nil) -> [PollTarget] {
        targets.filter { target in
            (object.map { $0.uppercased() == target.object.name } ?? true)
                && (entity.map { $0.uppercased() == target.entity.uppercased() } ?? true)
        }
    }

    /// Whether a stream is running now.
    public func isRunning(_ target: PollTarget) -> Bool { running.contains(target.id) }

    /// Streams reserved for one run: those not already running, which nobody else can start until the
    /// run ends, and those skipped because they were running.
    public struct Claim: Sendable {
        public let started: [PollTarget]
        public let skipped: [PollTarget]
    }

    /// Reserves the streams of `targets` that are not running. Pass the claim to `run(_:trigger:…)`,
    /// which releases it when the run ends.
    public func claim(_ targets: [PollTarget]) -> Claim {
        let started = targets.filter { running.insert($0.id).inserted }
        return Claim(started: started, skipped: targets.filter { target in !started.contains(target) })
    }

    /// Runs `targets` (skipping those already running) and writes a `run` audit record with every
    /// stream's counts. Errors never escape: they are audited per stream and the others go on.
    @discardableResult
    public func run(_ targets: [PollTarget], trigger: String, reconcile: (PollTarget) -> Bool = { _ in false },
                    progress: PollProgress? = nil) async -> [StreamRunReport] {
        await run(claim(targets), trigger: trigger, reconcile: reconcile, progress: progress)
    }

    /// Runs the streams of a claim and releases them as the run ends.
    @discardableResult
    public func run(_ claim: Claim, trigger: String, reconcile: (PollTarget) -> Bool = { _ in false },
                    progress: PollProgress? = nil) async -> [StreamRunReport] {
        let runID = UUID().uuidString.lowercased()
        let started = context.timestamp
        let claimed = claim.started
        let skipped = claim.skipped
        if !skipped.isEmpty {
            context.logger.info("streams already running; not starting them again", metadata: ["streams": "\(skipped.map(\.id))"])
        }
        let progress = progress ?? PollProgress(mode: .silent, logger: context.logger, clock: context.clock)
        let context = self.context
        let parallelism = self.parallelism
        let plan = claimed.map { ($0, reconcile($0)) }
        let reports = await withTaskGroup(of: (Int, StreamRunReport).self) { group in
            var results: [(Int, StreamRunReport)] = []
            var next = 0
            func launch() {
                guard next < plan.count else { return }
                let (target, reconcileNow) = plan[next]
                let index = next
                next += 1
                group.addTask {
                    (index, await PollCoordinator.runStream(target, reconcile: reconcileNow, runID: runID, context: context, progress: progress))
                }
            }
            for _ in 0..<parallelism { launch() }
            for await result in group {
                results.append(result)
                launch()
            }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
        for target in claimed { running.remove(target.id) }
        let ended = context.timestamp
        await context.audit.write(AuditRecord(kind: .run, runID: runID, members: [
            ("trigger", .string(trigger)), ("started_at", .string(started)), ("ended_at", .string(ended)),
            ("skipped_running", .array(skipped.map { .string($0.id) })),
            ("streams", .array(reports.map { report in
                .object([("entity", .string(report.entity)), ("object", .string(report.object))] + report.auditMembers)
            })),
        ], at: ended))
        return reports
    }

    /// One stream: incremental read, then deletes. Every failure ends up in the report and the audit topic.
    static func runStream(_ target: PollTarget, reconcile: Bool, runID: String, context: PollerContext,
                          progress: PollProgress) async -> StreamRunReport {
        var report = StreamRunReport(target: target, startedAt: context.timestamp)
        let logger = context.logger
        // A failed stage skips the ones after it, so a run has at most one failure.
        func fail(_ error: Error, stage: StreamRunFailure.Stage) async {
            PollerMetrics.runFailed(entity: target.entity, object: target.object.name)
            let failure = StreamRunFailure(stage: stage, error: error)
            report.failure = failure
            logger.error("stream run failed; going on with the next one", metadata: AuditRecord.logMetadata(AuditRecord.members(for: failure))
                .merging(["stream": "\(target.id)", "system": "\(failure.system.rawValue)"]) { $1 })
            await context.audit.write(AuditRecord(failure: failure, runID: runID, entity: target.entity, object: target.object.name,
                                                  at: context.timestamp))
        }

        do {
            try await StreamExtraction(context: context, target: target, runID: runID, progress: progress).run(into: &report)
        } catch {
            await fail(error, stage: .incremental)
        }
        if report.succeeded && !report.stoppedForShutdown && target.deleteDetection == .auditHistory && !context.shutdown.isRequested {
            do {
                try await AuditTrailDeletes(context: context, target: target).run(into: &report)
            } catch {
                await fail(error, stage: .auditTrailDeletes)
            }
        }
        // A snapshot's deletes are the keys it no longer lists: reconciled on every run.
        if report.succeeded && (reconcile || target.readsSnapshots) && target.deleteDetection != .none && !context.shutdown.isRequested {
            do {
                try await KeyReconciliation(context: context, target: target).run(into: &report)
            } catch {
                await fail(error, stage: .reconciliation)
            }
        }
        report.endedAt = context.timestamp
        await context.audit.write(AuditRecord(kind: .objectRun, runID: runID, entity: target.entity, object: target.object.name,
                                              members: report.auditMembers, at: report.endedAt))
        logger.info("stream run finished", metadata: [
            "stream": "\(target.id)", "records": "\(report.records)", "pages": "\(report.pages)", "tombstones": "\(report.tombstones)",
            "status": "\(report.failure == nil ? "ok" : "failed")",
        ])
        return report
    }
}
