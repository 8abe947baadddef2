import Foundation
import Loader
import Logging
import Sandbox
import HTTP
import Operations
import TokenServer
import TestSupport

/// One scenario's pipeline, started fresh: the sandbox company (in this process), the dev broker and the
/// BigQuery emulator (child processes on ephemeral ports), one loader per subsidiary plus one for the
/// shared objects, and the poller runs. Optionally the sandbox OAuth server in front of the emulator, so
/// the loaders authenticate with a service-account key and tokens can be revoked.
actor Fleet {
    static let company = "DEMO"
    static let dataset = "faults"
    static let loaderEntities = ["E100", "E200", "E300", "top"]
    /// The seed's objects, then issue #16's: receivables, cash, items, budgets, a snapshot object
    /// (PROVIDERBANKACCOUNT, no WHENMODIFIED) and a custom object only the configuration names. Level,
    /// key and money come from the catalog's defaults, as the poller resolves them.
    static let objects = ["GLACCOUNT", "DEPARTMENT", "LOCATION", "CLASS", "PROJECT", "VENDOR",
                          "GLBATCH", "GLENTRY", "GLDETAIL", "APBILL", "APPYMT",
                          "CUSTOMER", "ARINVOICE", "ARINVOICEITEM", "ARPYMT", "ARADJUSTMENT", "CHECKINGACCOUNT", "DEPOSIT",
                          "ITEM", "GLBUDGETITEM", "PROVIDERBANKACCOUNT", "CUSTOMER_CONTRACT"]

    let options: MatrixOptions
    let directory: String
    let sandbox: SandboxServer
    let http = HTTPClient()
    private(set) var broker: ChildProcess?
    private(set) var bootstrap = ""
    private(set) var emulator: ChildProcess?
    let emulatorPort: Int
    /// The emulator's gRPC port (the Storage Write API).
    let emulatorGRPCPort: Int
    private var emulatorGeneration = 0
    private var brokerGeneration = 0
    private(set) var loaders: [String: ChildProcess] = [:]
    private var loaderGeneration = 0
    private(set) var tokenServer: OAuthTokenServer?
    private var keyPath: String?
    /// `poll --once` runs, including the ones that exited non-zero.
    private(set) var pollRuns = 0
    private var pollGeneration = 0
    /// Records of snapshot objects revised by the change step ("ENTITY/OBJECT/RECORDNO") → the second of
    /// the revision. They carry no WHENMODIFIED, so the audit knows a new version won only by its
    /// `_extracted_at`: the poll after the revision must have read it.
    private(set) var revisedSnapshots: [String: Int64] = [:]

    nonisolated var configPath: String { directory + "/config.yaml" }
    nonisolated var emulatorHost: String { "127.0.0.1:\(emulatorPort)" }
    nonisolated var emulatorGRPCHost: String { "127.0.0.1:\(emulatorGRPCPort)" }

    init(options: MatrixOptions, scenario: String, seed: UInt64) throws {
        self.options = options
        directory = options.workDirectory + "/" + scenario
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var company = SandboxConfiguration(seed: seed, scale: options.scale)
        company.utcOffsetSeconds = options.utcOffsetSeconds
        sandbox = SandboxServer(configuration: company)
        emulatorPort = try freeLoopbackPort()
        emulatorGRPCPort = try freeLoopbackPort()
    }

    // MARK: Services

    /// Starts the sandbox, the broker, the emulator (and the token server), and writes the configuration.
    func start(authenticated: Bool) async throws {
        try await sandbox.start()
        async let brokerUp: Void = startBroker()
        async let emulatorUp: Void = startEmulator(empty: true)
        _ = try await (brokerUp, emulatorUp)
        if authenticated {
            let account = try SandboxServiceAccount()
            let server = try account.tokenServer(upstream: emulatorHost)
            try await server.start()
            keyPath = try account.writeKeyFile(tokenURI: await server.tokenURI, to: directory + "/service-account.json")
            tokenServer = server
        }
        try await writeConfiguration()
    }

    /// Ends the scenario: the audit is done and every service is thrown away, so SIGKILL (a graceful
    /// loader shutdown waits for the mock broker's group leave, about 15 s, for nothing).
    func stopAll() async {
        for process in Array(loaders.values) + [broker, emulator].compactMap({ $0 }) where process.isRunning {
            try? await process.killHard()
        }
        loaders = [:]
        await tokenServer?.stop()
        await sandbox.stop()
    }

    /// A new dev broker. The mock cluster keeps topics in memory and cannot be told its port, so every
    /// start is an empty broker at a new address; `writeConfiguration` points the fleet at it.
    func startBroker() async throws {
        brokerGeneration += 1
        let addressFile = directory + "/broker.addr"
        try? FileManager.default.removeItem(atPath: addressFile)
        broker = try ChildProcess(name: "broker", executable: options.binary,
                                  arguments: ["dev-broker", "--address-file", addressFile], logDirectory: directory)
        var address = ""
        try await eventually("dev broker listens", timeout: .seconds(30)) {
            let text = (try? String(contentsOfFile: addressFile, encoding: .utf8)) ?? ""
            address = text.split(separator: "\n").first { $0.hasPrefix("IBQ_KAFKA_BOOTSTRAP=") }.map { String($0.dropFirst(20)) } ?? ""
            return !address.isEmpty
        }
        bootstrap = address
    }

    /// Kills the broker (SIGKILL: everything it held is gone).
    func killBroker() async throws { try await broker?.killHard() }

    /// Starts the emulator on this fleet's port; `empty` gives it a new data directory (tables lost),
    /// otherwise it reopens the previous one (DuckDB file + WAL), like a restarted service.
    func startEmulator(empty: Bool) async throws {
        if empty { emulatorGeneration += 1 }
        let data = directory + "/bigquery-\(emulatorGeneration)"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        emulator = try ChildProcess(
            name: "bigquery", executable: options.repository + "/.venv/bin/python",
            arguments: [options.repository + "/scripts/bqemulator-launcher.py", "start", "--rest-host", "127.0.0.1",
                        "--rest-port", String(emulatorPort), "--grpc-host", "127.0.0.1", "--grpc-port", String(emulatorGRPCPort), "--project", "demo",
                        "--persistent", "--data-dir", data, "--log-level", "warning"],
            logDirectory: directory)
        let url = "http://\(emulatorHost)/bigquery/v2/projects/demo/datasets"
        try await eventually("BigQuery emulator answers on \(emulatorHost)", timeout: .seconds(120), every: .milliseconds(300)) {
            guard self.emulator?.isRunning == true else { throw StepFailure("the emulator exited:\n\(self.emulator?.tail() ?? "")") }
            return (try? await self.http.send(HTTPRequest(url: url, timeout: .seconds(5))))?.isSuccess == true
        }
    }

    func killEmulator() async throws { try await emulator?.killHard() }

    func writeConfiguration() async throws {
        let bigquery: String
        if let tokenServer, let keyPath {
            bigquery = """
              project: demo
              dataset: \(Self.dataset)
              credentials_file: \(keyPath)
              endpoint: \(await tokenServer.baseURL)
              write_api: insert_all
            """
        } else {
            bigquery = """
              project: demo
              dataset: \(Self.dataset)
              emulator_host: \(emulatorHost)
              emulator_grpc_host: \(emulatorGRPCHost)
            """
        }
        try """
        company: \(Self.company)
        logging: {level: info, format: text}
        kafka:
          bootstrap_servers: \(bootstrap)
          topic_partitions: 4
          # librdkafka's mock broker delays group joins by the session timeout; keep it short here.
          properties: {session.timeout.ms: "6000"}
        intacct:
        \(sandbox.intacctCredentialsYAML)
          max_concurrent_requests: 2
          requests_per_second: 1000
          page_size: \(options.pageSize)
        poller:
          http_port: 0
          entities: [E100, E200, E300]
          objects: [\(Self.objects.joined(separator: ", "))]
        bigquery:
        \(bigquery)
        loader:
          http_port: 0
          linger_ms: 300
          # Small batches: more commits to get wrong, and a load long enough to be interrupted half-way.
          batch_rows: \(options.batchRows)
        """.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    // MARK: Loaders

    func startLoaders() throws {
        for entity in Self.loaderEntities { try startLoader(entity) }
    }

    func startLoader(_ entity: String) throws {
        loaderGeneration += 1
        loaders[entity] = try ChildProcess(name: "loader-\(entity)", executable: options.binary,
                                           arguments: ["load", "--config", configPath, "--entity", entity], logDirectory: directory)
    }

    func killLoader(_ entity: String) async throws { try await loaders[entity]?.killHard() }

    /// SIGTERM every loader (they flush, commit and leave their groups); SIGKILL after `grace`.
    func stopLoaders(grace: Duration = .seconds(40)) async {
        await withTaskGroup(of: Void.self) { group in
            for loader in loaders.values { group.addTask { await loader.stop(grace: grace) } }
        }
        loaders = [:]
    }

    /// For a scenario that did not reconcile: per process log with errors, how many and the last one, so
    /// a run whose logs are gone (CI) still says where to look.
    nonisolated func errorLines() -> [String] {
        logLines(of: { _ in true }) {
            $0.contains(" error ") || $0.contains(" critical ") || $0.contains("\"level\": \"error\"")
        }.compactMap { name, errors in
            guard let last = errors.last else { return nil }
            return "\(name): \(errors.count) error lines, the last: \(last.prefix(400))"
        }
    }

    /// For a scenario that did not reconcile: what each loader's groups were assigned and revoked, and
    /// where it started reading each table (the last `limit` such lines of each loader log), so a run
    /// whose logs are gone (CI) still says which partitions a loader never read, or read from where.
    nonisolated func partitionTrail(limit: Int = 30) -> [String] {
        logLines(of: { $0.hasPrefix("loader-") }) {
            ($0.contains("Kafka group") && ($0.contains(": assigned ") || $0.contains(": revoked ")))
                || $0.contains("checked what BigQuery already holds")
        }.flatMap { name, lines in lines.suffix(limit).map { "\(name): \($0)" } }
    }

    /// The lines `matching` of each process log (`<name>.log` in this scenario's directory) whose file
    /// name passes `file`, in file-name order.
    private nonisolated func logLines(of file: (String) -> Bool, matching: (Substring) -> Bool) -> [(name: String, lines: [Substring])] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".log") && file($0) }.sorted().map { name in
            let text = (try? String(contentsOfFile: directory + "/" + name, encoding: .utf8)) ?? ""
            return (name, text.split(separator: "\n").filter(matching))
        }
    }

    /// For a scenario that did not reconcile: where the emulator's threads are. Its launcher writes every
    /// Python thread's stack to its log on SIGUSR1; each distinct innermost three frames becomes one line
    /// with a count, so a hung Storage Write API (calls ending in DEADLINE_EXCEEDED) shows where it waits.
    func emulatorStacks() async -> [String] {
        guard let emulator, emulator.isRunning else { return [] }
        let path = emulator.logPath
        func size() -> UInt64 { ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.uint64Value ?? 0 }
        let before = size()
        kill(emulator.pid, SIGUSR1)
        // Written all at once from the signal handler: done when the log grew and then stopped growing.
        var last = before
        _ = try? await eventually("the emulator's thread stacks", timeout: .seconds(5), every: .milliseconds(200)) {
            let now = size()
            defer { last = now }
            return now > before && now == last
        }
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        try? handle.seek(toOffset: before)
        let dump = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        var counts: [String: Int] = [:]
        for block in dump.components(separatedBy: "\n\n") where block.contains("most recent call first") {
            let frames = block.split(separator: "\n").filter { $0.hasPrefix("  File ") }.prefix(3).map { line in
                // `  File "/…/name.py", line 12 in function` → `function (name.py:12)`
                let parts = line.split(separator: "\"")
                let file = parts.count > 1 ? (parts[1].split(separator: "/").last.map(String.init) ?? "") : ""
                let rest = parts.last.map(String.init) ?? ""
                let tokens = rest.split(separator: " ")
                let lineNumber = tokens.firstIndex(of: "line").flatMap { tokens.indices.contains($0 + 1) ? String(tokens[$0 + 1]) : nil } ?? "?"
                let function = rest.components(separatedBy: " in ").last ?? "?"
                return "\(function) (\(file):\(lineNumber))"
            }
            counts[frames.joined(separator: " ← "), default: 0] += 1
        }
        return counts.sorted { $0.value > $1.value }.map { "emulator threads: \($0.value) × \($0.key)" }
    }

    /// Fails the step when a loader died on its own: every fault here must be ridden out, not crashed on.
    func checkLoadersAlive() throws {
        for (entity, loader) in loaders where !loader.isRunning {
            throw StepFailure("loader \(entity) exited with \(loader.exitStatus ?? -1):\n\(loader.tail())")
        }
    }

    /// Batches the loaders (or one entity's) have flushed to BigQuery and committed so far, from their
    /// logs: every flush logs `latency_ms=` with its offsets. A load can be interrupted half-way by this
    /// count, without racing it with queries.
    nonisolated func flushes(entity: String? = nil) -> Int {
        let names = entity.map { ["loader-\($0)"] } ?? Self.loaderEntities.map { "loader-\($0)" }
        return names.reduce(0) { total, name in
            let text = (try? String(contentsOfFile: directory + "/\(name).log", encoding: .utf8)) ?? ""
            return total + text.components(separatedBy: "latency_ms=").count - 1
        }
    }

    /// Waits until `count` more batches have been flushed than when it was called.
    func waitForFlushes(_ count: Int, entity: String? = nil, timeout: Duration = .seconds(240)) async throws {
        try await waitForFlushes(total: flushes(entity: entity) + count, entity: entity, timeout: timeout)
    }

    /// Waits until `target` batches have been flushed in all.
    func waitForFlushes(total target: Int, entity: String? = nil, timeout: Duration = .seconds(240)) async throws {
        try await eventually("\(target) batches loaded", timeout: timeout, every: .milliseconds(50)) {
            try self.checkLoadersAlive()
            return self.flushes(entity: entity) >= target
        }
    }

    // MARK: Poller

    /// Starts one `poll --once` run as a child process (to be killed or awaited).
    func startPoll() throws -> ChildProcess {
        pollRuns += 1
        pollGeneration += 1
        return try ChildProcess(name: "poll", executable: options.binary,
                                arguments: ["poll", "--config", configPath, "--once"], logDirectory: directory)
    }

    /// Runs `poll --once` as the poller's schedule would: again after a run that ended with a failed
    /// stream (exit 2), at most `runs` times. Throws if no run ended clean.
    func pollUntilClean(runs: Int = 3) async throws {
        for _ in 0..<runs {
            let poll = try startPoll()
            let status = try await poll.waitForExit(timeout: .seconds(600))
            if status == 0 { return }
            if status != 2 { throw StepFailure("poll --once exited with \(status):\n\(poll.tail())") }
        }
        throw StepFailure("poll --once did not end clean in \(runs) runs; see \(directory)/poll.log")
    }

    func noteRevisedSnapshots(_ ids: [String], at second: Int64) {
        for id in ids { revisedSnapshots[id] = second }
    }

    // MARK: Sandbox admin over HTTP (what the Swift API does not expose)

    /// Fault rules still active (finite ones disappear once they fired `times` times).
    func activeFaults() async throws -> [SandboxFault] {
        let response = try await http.send(HTTPRequest(url: sandbox.baseURL.absoluteString + "/admin/faults", timeout: .seconds(10)))
        return try JSONDecoder().decode([SandboxFault].self, from: response.body)
    }

    // MARK: Warehouse

    /// A client straight to the emulator (never through the token proxy), for the audit.
    nonisolated func warehouse() throws -> BigQueryClient {
        var logger = Logger(label: "fault-matrix.bigquery")
        logger.logLevel = .critical
        let configuration = BigQueryConfiguration(project: "demo", dataset: Self.dataset, emulatorHost: emulatorHost,
                                                  backoff: Backoff(initial: .milliseconds(100), maximum: .seconds(1), maxRetries: 2))
        return BigQueryClient(configuration: configuration, tokenProvider: nil, http: http, logger: logger)
    }

    /// Rows in every `_current` view together, or only one entity's (0 while nothing is loaded yet, or
    /// the emulator is down). One query when every view exists, so it can catch a load in the middle.
    func loadedRows(entity: String? = nil) async -> Int {
        guard let client = try? warehouse() else { return 0 }
        let filter = entity.map { " WHERE _entity = '\($0)'" } ?? ""
        let counts = Self.objects.map { "SELECT COUNT(*) AS n FROM \(client.qualified($0.lowercased() + "_current"))\(filter)" }
        if let result = try? await client.query(counts.joined(separator: " UNION ALL ")) {
            return result.rows.reduce(0) { $0 + Int($1["n"].int64 ?? 0) }
        }
        var total = 0
        for sql in counts {
            if let result = try? await client.query(sql) { total += Int(result.rows.first?["n"].int64 ?? 0) }
        }
        return total
    }

    func waitForLoadedRows(atLeast rows: Int, entity: String? = nil, timeout: Duration = .seconds(240)) async throws {
        try await eventually("\(rows) rows loaded", timeout: timeout, every: .milliseconds(100)) {
            try self.checkLoadersAlive()
            return await self.loadedRows(entity: entity) >= rows
        }
    }

    /// Every text value of every `_current` view: how many there are, and the ones matching `bad`.
    func textCells(containing bad: (Unicode.Scalar) -> Bool) async throws -> (cells: Int, matches: [String]) {
        let client = try warehouse()
        var cells = 0
        var matches: [String] = []
        for object in Self.objects {
            let result = try await client.query("SELECT * FROM \(client.qualified(object.lowercased() + "_current"))")
            for row in result.rows {
                for case let .string(text) in row.values {
                    cells += 1
                    if text.unicodeScalars.contains(where: bad) { matches.append("\(object): \(text.debugDescription)") }
                }
            }
        }
        return (cells, matches)
    }
}

/// A scenario step that could not be carried out (distinct from a reconciliation difference).
struct StepFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
