import Foundation
import Logging
import Poller
import Sandbox
import Configuration
import DevBroker

/// A full backfill of an in-process sandbox company into an in-process mock Kafka cluster, through the
/// real poller (keyset pages, envelopes, acknowledged watermarks). Prints records/s, the process's peak
/// RSS (VmHWM) and CPU time.
///
///     swift run -c release Benchmarks poller [--records 1000000] [--page-size N] [--latency-ms N] [--broker host:port]
///
/// `--latency-ms` delays every `query` by that much (the sandbox's `latency` fault), as a real gateway
/// takes hundreds of milliseconds a page, and prints the wall time beside Intacct's bound: query
/// requests × latency ÷ requests in flight. `--page-size` defaults to the poller's own default.
///
/// `--broker` uses a broker in another process (e.g. `intacct-bigquery dev-broker`), so the peak RSS is
/// the poller's and the sandbox's alone: the in-process mock cluster keeps every published record in
/// this process's memory.
/// Target: ≥ 20,000 records/s and < 150 MB peak RSS on 2 cores. The sandbox, the broker and the poller
/// share this one process, so the figures include the cost of generating and serving the XML.
enum PollerBenchmark {
    static func main(_ arguments: [String]) async {
        let records = option(arguments, "--records").flatMap(Int.init) ?? 1_000_000
        let pageSize = option(arguments, "--page-size").flatMap(Int.init)
        let latency = option(arguments, "--latency-ms").flatMap(Int.init)
        let external = option(arguments, "--broker")
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .warning
            return handler
        }
        do {
            try await run(records: records, pageSize: pageSize, latency: latency, external: external)
        } catch {
            print("poller benchmark failed: \(error)")
        }
    }

    private static func run(records: Int, pageSize: Int?, latency: Int?, external: String?) async throws {
        let concurrency = 2
        let sandbox = SandboxServer(configuration: SandboxConfiguration(seed: 42, scale: records, maxConcurrentRequests: concurrency))
        try await sandbox.start()
        let broker = external == nil ? try DevBroker() : nil
        let bootstrap = external ?? broker!.bootstrapServers
        // A company of its own per run: against a broker that outlives the run, `bench`'s watermarks from
        // an earlier run would turn the backfill into an incremental run.
        let company = "bench" + UUID().uuidString.prefix(8).lowercased()
        let yaml = """
        company: \(company)
        kafka:
          bootstrap_servers: \(bootstrap)
        intacct:
        \(sandbox.intacctCredentialsYAML)
          max_concurrent_requests: \(concurrency)
          requests_per_second: 10000
        \(pageSize.map { "  page_size: \($0)" } ?? "")
        poller:
          entities: [E100, E200, E300]
          objects: [LOCATIONENTITY, GLACCOUNT, DEPARTMENT, LOCATION, CLASS, PROJECT, VENDOR, GLBATCH, GLENTRY, GLDETAIL, APBILL, APPYMT]
        """
        let configuration = try ConfigurationLoader(environment: [:]).load(PollerConfiguration.self, yaml: yaml, file: "benchmark.yaml")
        let runtime = try await PollerRuntime.start(configuration, logger: Logger(label: "bench.poller"))
        let pageSizeText = pageSize.map(String.init) ?? "default (\(configuration.intacct.pageSize))"
        print("poller backfill: \(records) records requested, page size \(pageSizeText), \(concurrency) requests in flight, "
              + "latency \(latency.map { "\($0) ms per query" } ?? "none"), broker \(external ?? "in-process")")
        if let latency { sandbox.addFault(SandboxFault(kind: .latency, function: "query", times: -1, ms: latency)) }
        sandbox.resetStats()
        let cpuBefore = cpuSeconds()
        let started = ContinuousClock.now
        let progress = PollProgress(mode: .silent, logger: Logger(label: "bench.progress"))
        let reports = await runtime.coordinator.run(runtime.coordinator.targets, trigger: "benchmark", progress: progress)
        let elapsed = ContinuousClock.now - started
        let cpu = cpuSeconds() - cpuBefore
        let stats = sandbox.stats()
        let published = reports.reduce(0) { $0 + $1.records }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let failed = reports.filter { !$0.succeeded }
        print(String(format: "  published %d records in %.1f s: %.0f records/s", published, seconds, Double(published) / seconds))
        print("  pages: \(reports.reduce(0) { $0 + $1.pages }), streams: \(reports.count), failed: \(failed.count)")
        for report in failed { print("  FAILED \(report.target): \(report.failure.map { "\($0)" } ?? "")") }
        // Each page is one `query`, the only function the latency fault delays (sessions and `lookup` go
        // through the same slots, answered at once).
        let queries = reports.reduce(0) { $0 + $1.pages }
        if let latency {
            let bound = Double(queries) * Double(latency) / 1000 / Double(concurrency)
            print(String(format: "  wall %.1f s, bound %.1f s (%d queries × %d ms ÷ %d), ratio %.2f",
                         seconds, bound, queries, latency, concurrency, seconds / max(bound, 0.001)))
        }
        print("  gateway requests: \(stats.requests) (\(stats.sessionsCreated) sessions, at most \(stats.maxInFlight) in flight, \(stats.rateLimited) refused)")
        // The sandbox and (without --broker) the mock cluster run in this process: both figures include them.
        print(String(format: "  CPU: %.1f s (%.1f µs per record)", cpu, cpu * 1e6 / Double(max(published, 1))))
        print("  peak RSS: \(peakRSS())")
        await runtime.close()
        // The idle cost: a new poller process's start (reading `_state`) and a run of every stream with
        // nothing changed in Intacct, latency still on.
        let idleStarted = ContinuousClock.now
        let restarted = try await PollerRuntime.start(configuration, logger: Logger(label: "bench.poller"))
        let idle = await restarted.coordinator.run(restarted.coordinator.targets, trigger: "benchmark", progress: progress)
        let idleElapsed = ContinuousClock.now - idleStarted
        await restarted.close()
        let idleSeconds = Double(idleElapsed.components.seconds) + Double(idleElapsed.components.attoseconds) / 1e18
        print(String(format: "  incremental run with no change (start included): %.2f s for %d streams, %d records published, %d failed",
                     idleSeconds, idle.count, idle.reduce(0) { $0 + $1.records }, idle.filter { !$0.succeeded }.count))
        await sandbox.stop()
        broker?.stop()
    }

    /// User and system CPU of this process so far.
    private static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    private static func peakRSS() -> String {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? "VmHWM: ?"
        return line.dropFirst("VmHWM:".count).trimmingCharacters(in: .whitespaces)
    }

    private static func option(_ arguments: [String], _ name: String) -> String? {
        guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
        return arguments[index + 1]
    }
}
