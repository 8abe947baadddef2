import ArgumentParser
import Foundation
import Logging
import Poller
import ServiceLifecycle
import Operations

struct PollCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "poll",
        abstract: "Extract Intacct records incrementally and publish them to Kafka.",
        discussion: """
        Reads every configured object — any Intacct object by name, its fields from lookup; an object \
        Intacct does not know stops start-up with Intacct's error — (entity-level objects once per \
        configured entity, with that entity's session; top-level objects once, under entity "top") \
        modified since its watermark minus the overlap, in WHENMODIFIED, RECORDNO order with keyset \
        paging (an object without WHENMODIFIED: all of it, in key order), and publishes each record to \
        intacct.<company>.<entity>.<object> keyed <company>/<entity>/<OBJECT>/<RECORDNO>. Watermarks live \
        in intacct.<company>._state and advance only after Kafka acknowledged the records before them; \
        deletes become tombstones (AUDITHISTORY, and key reconciliation); runs and Intacct errors are \
        written to intacct.<company>._audit.

        Without --once it runs as a service: every stream at start-up, then on its schedule (cron or the \
        month-end close-cycle profile), key reconciliation on poller.reconciliation, /healthz /readyz \
        /metrics and POST /sync ({"object":"APBILL","entity":"E100","reconcile":true}, all optional) on \
        poller.http_port (or --http-port). \
        SIGTERM or SIGINT finishes the current page, writes its watermark and exits, within \
        shutdown.grace_seconds (default 20); at that deadline it logs the streams it could not finish (their \
        watermarks stay where Kafka last acknowledged, so the next run reads the rest again) and exits with \
        status 1. A second signal exits at once (status 128 + the signal number). The same holds with --once.

        With --once it runs the selected streams once and exits: 0 when all succeeded, 2 when any \
        failed (the failures are in the log and the audit topic). On a terminal it shows a progress line.

        See docs/poller.md for the configuration file.
        """
    )

    @Option(name: .long, help: "Poller configuration file (YAML).")
    var config: String

    @Flag(name: .long, help: "Run the selected streams once and exit instead of running as a service.")
    var once = false

    @Option(name: .long, help: "With --once: only this object (e.g. APBILL).")
    var object: String?

    @Option(name: .long, help: "With --once: only this entity (E100, or top for top-level objects).")
    var entity: String?

    @Flag(name: .long, help: "With --once: also reconcile keys against the topics (finds deletes the audit trail missed).")
    var reconcile = false

    @Option(name: .customLong("http-port"), help: "Override poller.http_port (0 = any free port; service mode only).")
    var httpPort: UInt16?

    func validate() throws {
        if !once && (object != nil || entity != nil || reconcile) {
            throw ValidationError("--object, --entity and --reconcile only apply with --once (use POST /sync on a running service)")
        }
        if once && httpPort != nil {
            throw ValidationError("--http-port only applies to the service (without --once): a single run serves no endpoints")
        }
    }

    func run() async throws {
        let configuration: PollerConfiguration
        do {
            configuration = try PollerConfiguration.load(from: config)
        } catch {
            throw ValidationError("invalid configuration: \(error)")
        }
        let grace: Duration
        do {
            grace = try ShutdownSettings.load(from: config).grace
        } catch {
            throw ValidationError("invalid configuration: \(error)")
        }
        configuration.logging.bootstrap()
        MetricsRegistry.bootstrap()
        let logger = Logger(label: "intacct-bigquery.poller")
        let shutdown = ShutdownFlag()
        let runtime = try await PollerRuntime.start(configuration, shutdown: shutdown, logger: logger)

        if once {
            let targets = runtime.coordinator.select(object: object, entity: entity)
            guard !targets.isEmpty else {
                await runtime.close()
                throw ValidationError("no configured stream matches --object \(object ?? "*") --entity \(entity ?? "*")")
            }
            // Balances belong to a whole run: a run narrowed to one object or entity leaves them out.
            let run = PollOnceRun(runtime: runtime, targets: targets, reconcile: reconcile, progress: PollProgress.forOnce(logger: logger),
                                  balances: object == nil && entity == nil ? runtime.balances : nil)
            // Its end is the command's end, not a failure of the group.
            try await BoundedServiceGroup(services: [.init(service: run, successTerminationBehavior: .gracefullyShutdownGroup)],
                                          deadline: grace, logger: logger,
                                          unfinished: Self.unfinishedStreams(runtime.coordinator)).run()
            for report in run.reports {
                print("\(report.target)\trecords=\(report.records)\tpages=\(report.pages)\ttombstones=\(report.tombstones)\t"
                      + (report.failure.map { "FAILED: \($0)" } ?? (report.stoppedForShutdown ? "stopped" : "ok")))
            }
            // A refused balance report is shown and audited; the exit status stays about the record streams.
            for report in run.balanceReports {
                print("\(report.entity)/\(report.kind.object.name)\tperiod=\(report.period)\trecords=\(report.records)\tunchanged=\(report.unchanged)\t"
                      + (report.failure.map { "NOT MOVED: \($0)" } ?? "ok"))
            }
            if run.reports.contains(where: { !$0.succeeded }) { throw ExitCode(2) }
            return
        }

        let readiness = runtime.readiness
        let operations = try OperationsServer(port: httpPort ?? configuration.poller.httpPort, logger: logger,
                                              readiness: { await readiness.reasons() })
        let service = PollerService(runtime: runtime, logger: logger)
        await service.register(on: operations)
        try await BoundedServiceGroup(services: [operations, service], deadline: grace, logger: logger,
                                      unfinished: Self.unfinishedStreams(runtime.coordinator)).run()
    }

    /// At the shutdown deadline: the streams still running. Nothing they read is lost: a watermark only
    /// moves past records Kafka acknowledged.
    private static func unfinishedStreams(_ coordinator: PollCoordinator) -> @Sendable () async -> [String] {
        {
            var lines: [String] = []
            for target in coordinator.targets {
                guard await coordinator.isRunning(target) else { continue }
                lines.append("\(target.id): still publishing; its watermark stays at the last page Kafka acknowledged")
            }
            return lines
        }
    }
}
