import Foundation
import HTTP
import Logging
import Poller
import Sandbox
import Configuration
import DevBroker

/// A full backfill of a sandbox company into a mock Kafka cluster through the real poller (keyset pages,
/// the shared page queue, envelopes, acknowledged watermarks), then a second poller process's incremental
/// run with nothing changed. Prints records/s, the poller's CPU time and peak RSS (VmHWM).
///
///     swift run -c release Benchmarks poller [--records 1000000] [--page-size N] [--latency-ms N] [--broker host:port]
///
/// The sandbox and the mock cluster run in a child process (`poller-feeder`), so the CPU and memory
/// figures are the poller's alone: the sandbox holds the whole company and the mock cluster every
/// published record in memory. `--broker` uses a broker of your own instead of the child's.
///
/// `--latency-ms` delays every `query` by that much (the sandbox's `latency` fault, set over its admin
/// API), as a real gateway takes hundreds of milliseconds a page, and prints the wall time beside
/// Intacct's bound: query requests × latency ÷ requests in flight. `--page-size` defaults to the
/// poller's own default.
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
        let sandboxConfiguration = SandboxConfiguration(seed: 42, scale: records, maxConcurrentRequests: concurrency)
        let feeder = try Feeder(records: records, concurrency: concurrency)
        defer { feeder.stop() }
        let bootstrap = external ?? feeder.bootstrap
        let admin = Admin(base: feeder.admin)
        // A company of its own per run: against a broker that outlives the run, `bench`'s watermarks from
        // an earlier run would turn the backfill into an incremental run.
        let company = "bench" + UUID().uuidString.prefix(8).lowercased()
        let yaml = """
        company: \(company)
        kafka:
          bootstrap_servers: \(bootstrap)
        intacct:
        \(sandboxConfiguration.intacctCredentialsYAML(endpoint: feeder.gateway))
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
              + "latency \(latency.map { "\($0) ms per query" } ?? "none"), broker \(external ?? "the feeder's")")
        if let latency { try await admin.add(SandboxFault(kind: .latency, function: "query", times: -1, ms: latency)) }
        try await admin.resetStats()
        let cpuBefore = cpuSeconds()
        let started = ContinuousClock.now
        let progress = PollProgress(mode: .silent, logger: Logger(label: "bench.progress"))
        let reports = await runtime.coordinator.run(runtime.coordinator.targets, trigger: "benchmark", progress: progress)
        let elapsed = ContinuousClock.now - started
        let cpu = cpuSeconds() - cpuBefore
        let stats = try await admin.stats()
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
    }

    // MARK: The feeder process: the sandbox company and the mock cluster

    /// Runs in the child: starts the sandbox at `--records` and the mock cluster, prints
    /// `gateway=… admin=… bootstrap=…` and serves until killed.
    static func feeder(_ arguments: [String]) async throws {
        let records = option(arguments, "--records").flatMap(Int.init) ?? 1_000_000
        let concurrency = option(arguments, "--concurrency").flatMap(Int.init) ?? 2
        let sandbox = SandboxServer(configuration: SandboxConfiguration(seed: 42, scale: records, maxConcurrentRequests: concurrency))
        try await sandbox.start()
        let broker = try DevBroker()
        FileHandle.standardOutput.write(Data(
            "gateway=\(sandbox.gatewayURL.absoluteString) admin=\(sandbox.baseURL.absoluteString) bootstrap=\(broker.bootstrapServers)\n".utf8))
        while true {
            try await Task.sleep(for: .seconds(3600))
            _ = broker.bootstrapServers  // lives as long as the process
        }
    }

    /// The child process, started and read like the loader benchmark's feeder.
    private final class Feeder {
        let process = Process()
        let gateway: String, admin: String, bootstrap: String

        init(records: Int, concurrency: Int) throws {
            process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
            process.arguments = ["poller-feeder", "--records", "\(records)", "--concurrency", "\(concurrency)"]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            var buffer = Data()
            while !buffer.contains(UInt8(ascii: "\n")) {
                let chunk = pipe.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
            }
            let fields = Dictionary(String(decoding: buffer, as: UTF8.self).split(whereSeparator: \.isWhitespace).compactMap { part in
                let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
                return pair.count == 2 ? (pair[0], pair[1]) : nil
            }, uniquingKeysWith: { a, _ in a })
            guard let gateway = fields["gateway"], let admin = fields["admin"], let bootstrap = fields["bootstrap"] else {
                process.terminate()
                throw FeederError(line: String(decoding: buffer, as: UTF8.self))
            }
            (self.gateway, self.admin, self.bootstrap) = (gateway, admin, bootstrap)
        }

        func stop() { if process.isRunning { process.terminate() } }
    }

    private struct FeederError: Error, CustomStringConvertible {
        var line: String
        var description: String { "poller-feeder did not start: \(line)" }
    }

    /// The sandbox's admin API, over HTTP.
    private struct Admin {
        let base: String
        let http = HTTP.HTTPClient()

        func add(_ fault: SandboxFault) async throws {
            _ = try await call("POST", "/admin/faults", body: try JSONEncoder().encode(fault))
        }

        func resetStats() async throws { _ = try await call("POST", "/admin/stats/reset") }

        func stats() async throws -> SandboxStats { try JSONDecoder().decode(SandboxStats.self, from: try await call("GET", "/admin/stats")) }

        private func call(_ method: String, _ path: String, body: Data = Data()) async throws -> Data {
            let response = try await http.send(HTTPRequest(method: method, url: base + path,
                                                           headers: [("Content-Type", "application/json")], body: body))
            guard response.isSuccess else { throw FeederError(line: "\(method) \(path) answered HTTP \(response.status)") }
            return response.body
        }
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
