import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Loader
import LoaderProcess
import Logging
import ServiceLifecycle
import Catalog
import DevBroker
import HTTP
import Kafka
import Operations
import RecordContract
import Synchronization

/// `swift run -c release Benchmarks loader [--write-api storage|insert_all] [--rows N] [--batch-rows B] [--kafka NAME=VALUE]... [--target sink|emulator] [--emulator HOST] [--grpc HOST] [--peer PYTHON]`
/// `swift run -c release Benchmarks loader --backlog [--rows N] [--sink-delay-ms D] [--seconds S] [--max-buffered-rows B]`
///
/// Rows per second and peak RSS (VmHWM) of one loader worker draining pre-produced envelopes.
/// The broker (librdkafka's mock cluster, which keeps every record in memory) and both sinks — a REST
/// one answering insertAll, tables and queries, and a Storage Write gRPC one acknowledging every
/// call — run in a child process (`loader-feeder`), so the memory figure is the loader's alone.
/// `--write-api` (default `storage`, the loader's default) picks the path. `--target sink` answers at
/// once (the loader's own cost); `--target emulator` loads into a BigQuery emulator (REST `--emulator`,
/// gRPC `--grpc`, defaults IBQ_BIGQUERY_EMULATOR and IBQ_BIGQUERY_GRPC; use fewer rows: it is far
/// slower than the loader). `--peer` runs the Python insertAll loader against the REST sink. `--batch-rows`
/// overrides `loader.batch_rows` (default the loader's own); `--kafka`, repeatable, sets a librdkafka
/// property of the loader's consumer as `kafka.properties` would (the prefetch caps, for one).
///
/// With `--target sink` the feeder reports the rows its sinks accepted on its standard output (`rows=N`
/// lines, when the count changed, at most every 50 ms), so the loader process spends no CPU asking.
///
/// `--backlog` is the memory test: a backlog ten times the default run (2,000,000 envelopes unless
/// `--rows` says otherwise) against a sink that answers each insertAll after `--sink-delay-ms`
/// (default 250), so the loader could fetch far faster than it can load. It runs until everything is
/// loaded or `--seconds` (default 120) passed and prints the peak RSS next to the most records the
/// worker held at once and how often its budget (`max_buffered_rows`, `--max-buffered-rows`) paused
/// consumption.
enum LoaderBenchmark {
    static func main(_ arguments: [String]) async throws {
        let backlog = arguments.contains("--backlog")
        let rows = Int(value(of: "--rows", in: arguments) ?? "") ?? (backlog ? 2_000_000 : 200_000)
        let target = value(of: "--target", in: arguments) ?? "sink"
        let emulator = value(of: "--emulator", in: arguments) ?? ProcessInfo.processInfo.environment["IBQ_BIGQUERY_EMULATOR"]
        let emulatorGRPC = value(of: "--grpc", in: arguments) ?? ProcessInfo.processInfo.environment["IBQ_BIGQUERY_GRPC"]
        let writeAPI = WriteAPI(rawValue: value(of: "--write-api", in: arguments) ?? WriteAPI.storage.rawValue)
        let sinkDelay = Int(value(of: "--sink-delay-ms", in: arguments) ?? "") ?? (backlog ? 250 : 0)
        let limit = Duration.seconds(Int(value(of: "--seconds", in: arguments) ?? "") ?? (backlog ? 120 : 3600))
        let budget = Int(value(of: "--max-buffered-rows", in: arguments) ?? "") ?? LoaderSettings().maxBufferedRows
        let batchRows = Int(value(of: "--batch-rows", in: arguments) ?? "") ?? LoaderSettings().batchRows
        // `--kafka name=value`, repeatable: a librdkafka property for the loader's consumer, as `kafka.properties` sets it.
        let kafkaPairs = arguments.indices.filter { arguments[$0] == "--kafka" }.map { index in
            (index + 1 < arguments.count ? arguments[index + 1] : "").split(separator: "=", maxSplits: 1).map(String.init)
        }
        let kafkaProperties = Dictionary(kafkaPairs.filter { $0.count == 2 }.map { ($0[0], $0[1]) }, uniquingKeysWith: { _, last in last })
        guard let writeAPI, kafkaPairs.allSatisfy({ $0.count == 2 }), target == "sink" || (target == "emulator" && emulator != nil && !backlog && (writeAPI == .insertAll || emulatorGRPC != nil)) else {
            print("usage: Benchmarks loader [--write-api storage|insert_all] [--rows N] [--batch-rows B] [--kafka NAME=VALUE]... [--target sink|emulator] [--emulator HOST:PORT] [--grpc HOST:PORT] [--peer PYTHON (from scripts/bench-peers)]")
            print("       Benchmarks loader --backlog [--rows N] [--sink-delay-ms D] [--seconds S] [--max-buffered-rows B]")
            return
        }

        // The feeder produces everything before it prints its addresses, so the clock below measures
        // only loading.
        let feeder = Process()
        feeder.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        feeder.arguments = ["loader-feeder", "--rows", "\(rows)", "--sink-delay-ms", "\(sinkDelay)"]
        let pipe = Pipe()
        feeder.standardOutput = pipe
        let producing = ContinuousClock.now
        try feeder.run()
        defer { if feeder.isRunning { feeder.terminate() } }
        // One line, read by hand: FileHandle has no async `bytes` on Linux.
        var buffer = Data()
        while !buffer.contains(UInt8(ascii: "\n")) {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
        }
        let line = String(decoding: buffer, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let fields = Dictionary(line.split(separator: " ").compactMap { part -> (String, String)? in
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            return pair.count == 2 ? (pair[0], pair[1]) : nil
        }, uniquingKeysWith: { a, _ in a })
        guard let bootstrap = fields["bootstrap"], let sink = fields["sink"], let grpcSink = fields["grpc"] else {
            print("loader-feeder did not start: \(line)")
            return
        }
        let sunk = FeederProgress(pipe.fileHandleForReading, alreadyRead: buffer)
        let bigQueryHost = target == "sink" ? sink : emulator!
        let grpcHost = target == "sink" ? grpcSink : emulatorGRPC
        let dataset = "bench_\(UUID().uuidString.prefix(8).lowercased())"
        print("loader benchmark: \(rows) envelopes pre-produced in " + String(format: "%.1f s", seconds(ContinuousClock.now - producing))
              + "; loading into \(target) (\(bigQueryHost)" + (writeAPI == .storage ? ", Storage Write API at \(grpcHost ?? "-")" : ", insertAll") + ")"
              + (sinkDelay > 0 ? ", each write answered after \(sinkDelay) ms" : ""))

        var logger = Logger(label: "loader-benchmark")
        logger.logLevel = .warning
        let configuration = LoaderConfiguration(
            company: "bench", kafka: KafkaSettings(bootstrapServers: bootstrap, properties: kafkaProperties),
            bigquery: BigQuerySettings(project: "demo", dataset: dataset, emulatorHost: bigQueryHost, emulatorGRPCHost: grpcHost, writeAPI: writeAPI),
            loader: LoaderSettings(batchRows: batchRows, httpPort: 0, maxBufferedRows: budget), logging: LoggingConfiguration(level: .warning))
        let service = try LoaderService(configuration: configuration, entity: "E100", httpHost: "127.0.0.1", logger: logger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [service.operations, service], logger: logger))

        let http = HTTP.HTTPClient()
        let client = BigQueryClient(configuration: BigQueryConfiguration(project: "demo", dataset: dataset, emulatorHost: bigQueryHost),
                                    tokenProvider: nil, http: http, logger: logger)
        let started = ContinuousClock.now
        var firstRowAt: ContinuousClock.Instant?
        var loaded = 0
        var progressAt = started
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            while loaded < rows {
                try await Task.sleep(for: .milliseconds(target == "sink" ? 50 : 1000))
                let count = target == "sink" ? sunk.rows : try await emulatorCount(client)
                if count > loaded { progressAt = .now }
                loaded = count
                if loaded > 0 && firstRowAt == nil { firstRowAt = .now }
                if ContinuousClock.now - started > limit { break }
                // librdkafka's mock cluster keeps a bounded log per partition, so a very large --rows can
                // lose its oldest envelopes before the loader reads them: report that instead of waiting.
                if !backlog && loaded > 0 && ContinuousClock.now - progressAt > .seconds(30) {
                    print("no rows loaded for 30 s at \(loaded) of \(rows): the rest never reached the loader (the mock broker's log bound?)")
                    break
                }
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        let finished = ContinuousClock.now
        let total = seconds(finished - started)
        let steady = seconds(finished - (firstRowAt ?? started))
        print(String(format: "rows loaded:        %d", loaded))
        print(String(format: "elapsed:            %.2f s (%.2f s from the first insert; group join and table set-up before it)", total, steady))
        print(String(format: "throughput:         %.0f rows/s overall, %.0f rows/s from the first insert", Double(loaded) / total, Double(loaded) / steady))
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        print(String(format: "loader CPU time:    %.2f s (%.0f rows per CPU-second; the machine is shared, so this is the steadier figure)",
                     cpu, Double(loaded) / cpu))
        print(String(format: "peak RSS (VmHWM):   %.0f MB (loader process only)", PeakMemory.megabytes))
        if let peer = value(of: "--peer", in: arguments) {
            try await runPeer(peer, rows: rows, bootstrap: bootstrap, bigQueryHost: bigQueryHost, target: target,
                              ours: (loaded: loaded, cpu: cpu), http: http)
        }
        if backlog {
            let holding = service.workers[0].holding
            print(String(format: "backlog:            %d of %d envelopes loaded in the run; %.0f%% of the backlog never left Kafka",
                         loaded, rows, 100 * Double(rows - loaded) / Double(rows)))
            print("records held:       at most \(holding.peakRecords) at once (budget max_buffered_rows = \(holding.budget)); " +
                  "consumption paused \(holding.pauses) time(s) by the budget")
        }
    }

    // MARK: The feeder process: broker, pre-produced envelopes, the insertAll and Storage Write sinks

    /// Runs in the child: starts the mock cluster, produces `rows` envelopes, starts both sinks,
    /// prints `bootstrap=... sink=... grpc=...`, then `rows=N` whenever the sinks' count changed (at most
    /// every 50 ms), and serves until killed.
    static func feeder(_ arguments: [String]) async throws {
        let rows = Int(value(of: "--rows", in: arguments) ?? "") ?? 200_000
        let sinkDelay = Int(value(of: "--sink-delay-ms", in: arguments) ?? "") ?? 0
        var quiet = Logger(label: "feeder")
        quiet.logLevel = .error
        let broker = try DevBroker()
        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrap: broker.bootstrapServers), logger: quiet)
        let objects = ["GLENTRY", "APBILL", "APPYMT", "GLDETAIL"]
        var batch: [KafkaOutgoingMessage] = []
        for index in 0..<rows {
            let object = ObjectCatalog.standard.objects.first { $0.name == objects[index % objects.count] }!
            let recordNo = object.name == "GLDETAIL" ? "\(index)-\(index)-1--accrual" : "\(index)"
            let fields = BenchmarkFields.fields(of: object, index: index, recordNo: recordNo)
            let envelope = RecordEnvelope(key: RecordKey(company: "bench", entity: "E100", object: object.name, recordNo: recordNo),
                                          whenModified: "2026-01-31T12:00:00Z", extractedAt: "2026-01-31T12:05:00Z", fields: fields)
            batch.append(KafkaOutgoingMessage(topic: envelope.key.topic, key: envelope.key.description, value: envelope.encoded()))
            if batch.count == 10_000 {
                _ = try await producer.send(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        _ = try await producer.send(batch)
        await producer.close()

        let grpcRows = StorageWriteRowCounter()
        let sink = try InsertAllSink(insertDelay: .milliseconds(sinkDelay), alsoCounting: grpcRows)
        let transport = AcknowledgingBigQueryWrite.loopbackTransport()
        let storage = AcknowledgingBigQueryWrite(counter: grpcRows, commitDelay: .milliseconds(sinkDelay))
        try await withGRPCServer(transport: transport, services: [storage]) { _ in
            let grpcPort = try await transport.listeningAddress.ipv4?.port ?? 0
            FileHandle.standardOutput.write(Data("bootstrap=\(broker.bootstrapServers) sink=127.0.0.1:\(sink.port) grpc=127.0.0.1:\(grpcPort)\n".utf8))
            // Serves until the parent terminates it.
            var reported = 0
            while true {
                try await Task.sleep(for: .milliseconds(50))
                let rows = sink.totalRows
                if rows != reported { FileHandle.standardOutput.write(Data("rows=\(rows)\n".utf8)) }
                reported = rows
                _ = broker.bootstrapServers  // lives as long as the process
            }
        }
    }

    // MARK: The peer: the simplest Python loader, on the same broker and sink

    /// Runs `Benchmarks/Peers/python-loader.py` (confluent-kafka + google-cloud-bigquery's insert_rows_json,
    /// the whole envelope as one STRING column) over the same pre-produced topics, in its own consumer
    /// group, into the same sink, and prints its CPU per row beside ours. `--peer` names the Python
    /// interpreter that has both packages (`scripts/bench-peers` makes one in .venv-peers).
    private static func runPeer(_ python: String, rows: Int, bootstrap: String, bigQueryHost: String, target: String,
                                ours: (loaded: Int, cpu: Double), http: HTTP.HTTPClient) async throws {
        guard target == "sink" else {
            print("peer:               runs against --target sink only (the emulator's cost would swamp both)")
            return
        }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Peers/python-loader.py")
        let topics = ["glentry", "apbill", "appymt", "gldetail"].map { "intacct.bench.e100.\($0)" }.joined(separator: ",")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script.path, "--bootstrap", bootstrap, "--topics", topics, "--endpoint", "http://\(bigQueryHost)",
                             "--table", "demo.peer.envelopes", "--rows", "\(rows)", "--group", "python-peer-\(UUID().uuidString.prefix(8))"]
        let output = Pipe()
        process.standardOutput = output
        let before = try await sinkCount(bigQueryHost, http: http)
        let started = ContinuousClock.now
        try process.run()
        process.waitUntilExit()
        let wall = seconds(ContinuousClock.now - started)
        let line = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard process.terminationStatus == 0,
              let cpuText = line.split(separator: " ").first(where: { $0.hasPrefix("cpu=") })?.dropFirst(4),
              let cpu = Double(cpuText.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            print("peer:               python loader failed (exit \(process.terminationStatus)): \(line)")
            return
        }
        let loaded = try await sinkCount(bigQueryHost, http: http) - before
        print(String(format: "peer (python):      %d rows in %.2f s, %.2f s CPU = %.1f µs per row (%.0f rows per CPU-second)",
                     loaded, wall, cpu, cpu * 1e6 / Double(max(loaded, 1)), Double(loaded) / cpu))
        print(String(format: "side by side:       ours %.1f µs of CPU per row, python %.1f µs; python / ours = %.1f×",
                     ours.cpu * 1e6 / Double(max(ours.loaded, 1)), cpu * 1e6 / Double(max(loaded, 1)),
                     (cpu / Double(max(loaded, 1))) / (ours.cpu / Double(max(ours.loaded, 1)))))
    }

    // MARK: Helpers

    private static func sinkCount(_ sink: String, http: HTTP.HTTPClient) async throws -> Int {
        let response = try await http.send(HTTP.HTTPRequest(url: "http://\(sink)/count", timeout: .seconds(5)))
        let json = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
        return (json?["rows"] as? Int) ?? 0
    }

    private static func emulatorCount(_ client: BigQueryClient) async throws -> Int {
        var total = 0
        for table in ["glentry", "apbill", "appymt", "gldetail"] {
            guard (try? await client.table(table)) != nil else { continue }
            guard let result = try? await client.query("SELECT COUNT(*) AS n FROM \(client.qualified(table))") else { continue }
            total += Int(result.rows.first?["n"].int64 ?? 0)
        }
        return total
    }

    private static func value(of option: String, in arguments: [String]) -> String? {
        guard let index = arguments.firstIndex(of: option), index + 1 < arguments.count else { return nil }
        return arguments[index + 1]
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// The feeder's `rows=N` lines, read on a thread of their own.
private final class FeederProgress: Sendable {
    private let latest = Mutex(0)

    /// `alreadyRead`: what was read from `handle` with the addresses line, which may hold the first counts.
    init(_ handle: FileHandle, alreadyRead: Data) {
        note(alreadyRead)
        Thread.detachNewThread { [self] in
            var pending = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { return }
                pending.append(chunk)
                guard let end = pending.lastIndex(of: UInt8(ascii: "\n")) else { continue }
                note(pending[...end])
                pending = Data(pending[(end + 1)...])
            }
        }
    }

    var rows: Int { latest.withLock { $0 } }

    private func note(_ lines: Data) {
        for line in String(decoding: lines, as: UTF8.self).split(separator: "\n") where line.hasPrefix("rows=") {
            if let rows = Int(line.dropFirst(5)) { latest.withLock { $0 = rows } }
        }
    }
}
