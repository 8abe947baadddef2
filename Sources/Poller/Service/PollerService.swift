import Foundation
import Logging
import ServiceLifecycle
import Shared

/// The long-running poller: runs every stream once at start-up, then each on its schedule (cron or the
/// close-cycle profile), reconciles keys on the reconciliation cron, and serves `POST /sync`. On graceful
/// shutdown (SIGTERM) each running stream finishes its current page, writes that page's watermark and stops.
public final class PollerService: Service, @unchecked Sendable {
    private let runtime: PollerRuntime
    private let progress: PollProgress
    private let logger: Logger
    private let tasks = RunningTasks()

    public init(runtime: PollerRuntime, logger: Logger) {
        self.runtime = runtime
        self.logger = logger
        progress = PollProgress(mode: .log(interval: runtime.configuration.poller.progressInterval), logger: logger)
    }

    /// Registers `POST /sync` on the operations server. Body (optional): `{"object":"APBILL","entity":"E100","reconcile":false}`.
    public func register(on server: OperationsServer) async {
        await server.addRoute("POST /sync") { [self] body, _ in
            await sync(body: body)
        }
    }

    /// Starts an on-demand run and answers at once with what it started.
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
        tasks.add(Task { await coordinator.run(targets, trigger: "sync", reconcile: { _ in reconcile }, progress: progress) })
        var out = JSONWriter()
        out.beginObject()
        out.key("started")
        out.beginArray()
        for target in targets { out.string(target.id) }
        out.endArray()
        out.endObject()
        return (202, String(decoding: out.bytes, as: UTF8.self))
    }

    public func run() async throws {
        let shutdown = runtime.context.shutdown
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
        await tasks.waitAll()
        await runtime.close()
    }

    /// The scheduling loop: wakes at least once a second to start what is due, until shutdown.
    private func schedule() async {
        let coordinator = runtime.coordinator, progress = progress
        let shutdown = runtime.context.shutdown
        let reconciliation = runtime.configuration.poller.reconciliation
        var due: [PollTarget: Date] = [:]
        let now = Date()
        for target in coordinator.targets { due[target] = now }
        var reconcileAt = reconciliation.next(after: now) ?? .distantFuture
        while !shutdown.isRequested {
            let now = Date()
            let ready = coordinator.targets.filter { (due[$0] ?? .distantFuture) <= now }
            let reconcileNow = reconcileAt <= now
            if reconcileNow { reconcileAt = reconciliation.next(after: now) ?? .distantFuture }
            let toReconcile = reconcileNow ? coordinator.targets.filter { $0.deletes != .none } : []
            let batch = Array(Set(ready + toReconcile))
            if !batch.isEmpty {
                for target in batch { due[target] = target.schedule.next(after: now) ?? .distantFuture }
                let reconciled = Set(toReconcile)
                tasks.add(Task {
                    await coordinator.run(batch, trigger: reconcileNow ? "schedule+reconciliation" : "schedule",
                                          reconcile: { reconciled.contains($0) }, progress: progress)
                })
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }
}

/// On-demand and scheduled runs still going, so shutdown can wait for their last pages.
private final class RunningTasks: @unchecked Sendable {
    private let lock = NSLock()
    private var tasks: [Task<[StreamRunReport], Never>] = []

    func add(_ task: Task<[StreamRunReport], Never>) {
        lock.withLock {
            tasks.removeAll { $0.isCancelled }
            tasks.append(task)
        }
    }

    func waitAll() async {
        for task in lock.withLock({ tasks }) { _ = await task.value }
    }
}
