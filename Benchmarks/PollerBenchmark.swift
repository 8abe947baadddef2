import Foundation
import Logging
import Poller
import Sandbox
import Configuration
import DevBroker

/// A full backfill of an in-process sandbox company (no injected latency) into an in-process mock
/// Kafka cluster, through the real poller (keyset pages, envelopes, acknowledged watermarks, audit
/// trail reads). Prints records/s and the process's peak RSS (VmHWM).
///
///     swift run -c release Benchmarks poller [--records 1000000] [--page-size 1000] [--broker host:port]
///
/// `--broker` uses a broker in another process (e.g. `intacct-bigquery dev-broker`), so the peak RSS is
/// the poller's and the sandbox's alone: the in-process mock cluster keeps every published record in
/// this process's memory.
/// Target: ≥ 20,000 records/s and < 150 MB peak RSS on 2 cores. The sandbox, the broker and the poller
/// share this one process, so the figures include the cost of generating and serving the XML.
enum PollerBenchmark {
    static func main(_ arguments: [String]) async {
        let records = option(arguments, "--records").flatMap(Int.init) ?? 1_000_000
        let pageSize = option(arguments, "--page-size").flatMap(Int.init) ?? 1000
        let external = option(arguments, "--broker")
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .warning
            return handler
        }
        do {
            try await run(records: records, pageSize: pageSize, external: external)
        } catch {
            print("poller benchmark failed: \(error)")
        }
    }

    private static func run(records: Int, pageSize: Int, external: String?) async throws {
        let sandbox = SandboxServer(configuration: SandboxConfiguration(seed: 42, scale: records, maxConcurrentRequests: 2))
        try await sandbox.start()
        let broker = external == nil ? try DevBroker() : nil
        let bootstrap = external ?? broker!.bootstrapServers
        let yaml = """
        company: bench
        kafka:
          bootstrap_servers: \(bootstrap)
        intacct:
        \(sandbox.intacctCredentialsYAML)
          max_concurrent_requests: 2
          requests_per_second: 10000
          page_size: \(pageSize)
        poller:
          entities: [E100, E200, E300]
          objects: [LOCATIONENTITY, GLACCOUNT, DEPARTMENT, LOCATION, CLASS, PROJECT, VENDOR, GLBATCH, GLENTRY, GLDETAIL, APBILL, APPYMT]
        """
        let configuration = try ConfigurationLoader(environment: [:]).load(PollerConfiguration.self, yaml: yaml, file: "benchmark.yaml")
        let runtime = try await PollerRuntime.start(configuration, logger: Logger(label: "bench.poller"))
        print("poller backfill: \(records) records requested, page size \(pageSize), 2 requests in flight, broker \(external ?? "in-process")")
        let started = ContinuousClock.now
        let progress = PollProgress(mode: .silent, logger: Logger(label: "bench.progress"))
        let reports = await runtime.coordinator.run(runtime.coordinator.targets, trigger: "benchmark", progress: progress)
        let elapsed = ContinuousClock.now - started
        await runtime.close()
        let published = reports.reduce(0) { $0 + $1.records }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let failed = reports.filter { !$0.succeeded }
        print(String(format: "  published %d records in %.1f s: %.0f records/s", published, seconds, Double(published) / seconds))
        print("  pages: \(reports.reduce(0) { $0 + $1.pages }), streams: \(reports.count), failed: \(failed.count)")
        for report in failed { print("  FAILED \(report.target): \(report.failure.map { "\($0)" } ?? "")") }
        print("  peak RSS: \(peakRSS())")
        await sandbox.stop()
        broker?.stop()
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
