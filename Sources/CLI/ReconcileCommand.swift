import ArgumentParser
import Foundation
import Loader
import Logging
import Poller
import Sandbox
import Catalog
import HTTP

struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Compare what BigQuery holds with the sandbox company's own totals.",
        discussion: """
        Reads the `_current` views (latest live version of every record) and prints, next to the
        sandbox's own figures and marked equal or not: row counts and money per subsidiary and object,
        AP bill totals and open balances per subsidiary, GL debits and credits per cost center
        (department directly under the root of the hierarchy) and account category, the trial balance
        computed from GLENTRY per entity, period and account against Intacct's own (get_trialbalance, as
        the poller's `balances:` loads it), and AR invoice totals and open balances per subsidiary
        (when the sandbox reports AR).
        With --wait it first polls until every count matches or the time runs out, showing progress,
        so it can follow a load that is still running. Exits 1 when anything differs.
        """
    )

    @Option(help: "The loader's configuration file (its `bigquery:` section is used).")
    var config: String

    @Option(help: "The sandbox's gateway URL (as `intacct-bigquery sandbox` prints it).")
    var sandbox: String

    @Option(help: "Seconds to wait for the counts to match before reporting.")
    var wait: Int = 0

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .warning
            return handler
        }
        let configuration = try LoaderConfiguration.load(from: config)
        let http = HTTPClient()
        let client = try BigQueryClient(configuration: configuration.bigQueryClientConfiguration, http: http,
                                        logger: Logger(label: "intacct-bigquery.reconcile"))
        guard let base = URL(string: sandbox).flatMap({ URL(string: "/", relativeTo: $0)?.absoluteURL.absoluteString }) else {
            throw ValidationError("--sandbox must be a URL, got \(sandbox)")
        }
        // Compare what the fleet moves: the poller's objects when the file configures it, else every object.
        let polled = (try? PollerConfiguration.load(from: config)).map { Set($0.poller.objects.map(\.object.name)) }
        let compared = Set(ObjectCatalog.standard.objects.map(\.name)).subtracting(["LOCATIONENTITY"])
            .intersection(polled ?? Set(ObjectCatalog.standard.objects.map(\.name)))
        let all: SandboxTotals = try await fetch(base + "admin/totals", with: http)
        let expected = all.mapValues { $0.filter { compared.contains($0.key) } }
        // AR is compared whenever the sandbox reports it and the poller moves it (or the file says nothing).
        let expectedAR = (polled?.contains("ARINVOICE") ?? true) ? all.compactMapValues { $0["ARINVOICE"] } : [:]
        let expectedGL: [SandboxGLBalance] = compared.isSuperset(of: ["GLENTRY", "GLACCOUNT", "DEPARTMENT"])
            ? try await fetch(base + "admin/totals/gl", with: http) : []

        var actual = WarehouseTotals()
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(wait)
        let interactive = isatty(STDERR_FILENO) == 1
        while true {
            do { actual = try await WarehouseTotals.read(from: client) } catch where clock.now < deadline {
                try await Task.sleep(for: .seconds(1))  // dataset not created yet: the loaders are starting
                continue
            }
            let (loaded, total, matching, streams) = Self.progress(expected: expected, actual: actual)
            // The trial balance and AR have no counts of their own to wait for: while the loaders catch up
            // they differ, so a wait also waits for them to agree.
            let settled = actual.trialBalance.allSatisfy(\.isEqual)
                && expectedAR.allSatisfy { entity, want in actual.receivables[entity]?.count == want.count }
            if (matching == streams && settled) || clock.now >= deadline { break }
            let line = "loaded \(loaded) of \(total) rows; \(matching)/\(streams) object streams match"
            if interactive { FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8)) }
            try await Task.sleep(for: .seconds(1))
        }
        if interactive { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        let report = ReconciliationReport(expected: expected, expectedGL: expectedGL, expectedAR: expectedAR, actual: actual)
        print(report.rendered())
        if !report.allEqual { throw ExitCode(1) }
    }

    private func fetch<T: Decodable>(_ url: String, with http: HTTPClient) async throws -> T {
        let response = try await http.send(HTTPRequest(url: url, timeout: .seconds(120)))
        guard response.isSuccess else { throw ValidationError("\(url) answered HTTP \(response.status)") }
        return try JSONDecoder().decode(T.self, from: response.body)
    }

    static func progress(expected: SandboxTotals, actual: WarehouseTotals) -> (loaded: Int, total: Int, matching: Int, streams: Int) {
        var loaded = 0, total = 0, matching = 0, streams = 0
        for (entity, objects) in expected {
            for (object, figures) in objects {
                let count = actual.objects[entity]?[object]?.count ?? 0
                loaded += min(count, figures.count)
                total += figures.count
                streams += 1
                if count == figures.count { matching += 1 }
            }
        }
        return (loaded, total, matching, streams)
    }
}
