import Foundation
import Logging
import Loader
import HTTP
import Sandbox
import DevBroker
import TestSupport
import XCTest

/// SIGTERM against real `poll` and `load` processes whose Kafka broker has gone away: each leaves within
/// `shutdown.grace_seconds`, says it is shutting down, and a run against a new broker loses nothing.
final class ShutdownTests: XCTestCase {
    private let grace = 3

    private func config(sandbox: SandboxServer, broker: DevBroker, emulator: String, dataset: String, grace: Int) throws -> String {
        try PipelineConfigurationFile.write(
            name: "shutdown", dataset: dataset, broker: broker, sandbox: sandbox, emulator: emulator,
            settings: "shutdown: {grace_seconds: \(grace)}",
            intacct: "  page_size: 100",
            poller: """
              discover: false
              entities: [E100]
              objects: [APBILL, GLENTRY]
            """)
    }

    /// Leaves the poller holding a page Kafka will never acknowledge: once its start-up run is over, the
    /// broker goes, bills change, and `POST /sync` makes it read them and try to publish.
    private func strandPoller(_ poller: CLIProcess, sandbox: SandboxServer, broker: DevBroker) async throws {
        var port: Int?
        try await eventually("the poller finishes its start-up run", timeout: .seconds(120)) {
            let lines = poller.log.split(separator: "\n")
            if let line = lines.first(where: { $0.contains("operations HTTP server listening") }), let range = line.range(of: "port=") {
                port = Int(line[range.upperBound...].prefix { $0.isNumber })
            }
            return port != nil && lines.filter { $0.contains("stream run finished") }.count == 2
        }
        broker.stop()
        _ = sandbox.advanceClock(seconds: 3600)
        _ = try sandbox.mutate(object: "APBILL", entity: "E100", modify: 5)
        let served = sandbox.stats().requests
        let response = try await HTTPClient().send(HTTPRequest(method: "POST", url: "http://127.0.0.1:\(port!)/sync",
                                                               headers: [("Content-Type", "application/json")],
                                                               body: Data(#"{"object":"APBILL","entity":"E100"}"#.utf8), timeout: .seconds(10)))
        XCTAssertEqual(response.status, 202)
        try await eventually("the poller reads the changed bills", timeout: .seconds(30)) { sandbox.stats().requests > served }
    }

    /// Distinct record keys BigQuery holds for an object (only E100 is loaded here); 0 before the table exists.
    private func loadedKeys(_ object: String, config: String) async throws -> Int {
        let configuration = try LoaderConfiguration.load(from: config)
        let client = try BigQueryClient(configuration: configuration.bigQueryClientConfiguration, logger: Logger(label: "test"))
        do {
            let result = try await client.query("SELECT COUNT(DISTINCT _key) AS n FROM \(client.qualified(object.lowercased()))")
            return Int(result.rows.first?["n"].int64 ?? 0)
        } catch let error as BigQueryError where error.isNotFound {
            return 0
        }
    }

    func testPollAndLoadLeaveWithinTheirDeadlineWhenTheBrokerIsGoneAndTheNextRunLosesNothing() async throws {
        guard let emulator = DevServices.load().bigQueryEmulator else {
            return XCTFail("needs the BigQuery emulator: run scripts/dev-services start or set IBQ_BIGQUERY_EMULATOR")
        }
        let sandbox = SandboxServer(configuration: SandboxConfiguration(seed: 31, scale: 6_000))
        try await sandbox.start()
        let dataset = "shutdown_\(UUID().uuidString.prefix(8).lowercased())"
        let broker = try DevBroker()
        let first = try config(sandbox: sandbox, broker: broker, emulator: emulator, dataset: dataset, grace: grace)
        let loader = try CLIProcess(["load", "--config", first, "--entity", "E100"], name: "shutdown-loader")
        let poller = try CLIProcess(["poll", "--config", first], name: "shutdown-poller")
        try await eventually("the loader loads a first batch", timeout: .seconds(180)) { loader.log.contains("flushed batch") }
        try await strandPoller(poller, sandbox: sandbox, broker: broker)
        let clock = ContinuousClock()
        let asked = clock.now
        loader.send(SIGTERM)
        poller.send(SIGTERM)
        // Each exits by its deadline; the slack is for process exit on a busy machine, not for waiting on Kafka.
        let loaderStatus = try await loader.exitStatus(within: .seconds(grace + 3))
        let pollerStatus = try await poller.exitStatus(within: .seconds(grace + 3))
        let took = clock.now - asked
        XCTAssertLessThan(took, .seconds(grace) + .milliseconds(1500), "both exited within shutdown.grace_seconds")
        for (name, process, status) in [("loader", loader, loaderStatus), ("poller", poller, pollerStatus)] {
            XCTAssertTrue(process.log.contains("received SIGTERM: shutting down"), "\(name):\n\(process.log)")
            // 0 when everything stopped in time; 1 when the deadline cut it short, after saying what was left.
            XCTAssertTrue([0, 1].contains(status), "\(name) exited \(status):\n\(process.log)")
            if status == 1 { XCTAssertTrue(process.log.contains("shutdown did not finish within"), "\(name):\n\(process.log)") }
        }
        // The poller held a page a dead broker cannot acknowledge: it cannot have finished, so it said what it left.
        XCTAssertEqual(pollerStatus, 1, poller.log)
        XCTAssertTrue(poller.log.contains("E100/APBILL: still publishing"), poller.log)

        // A new broker (the old one kept nothing): the next run publishes what was never acknowledged, and a
        // new loader puts every record in BigQuery next to what the first one loaded.
        let newBroker = try DevBroker()
        defer { newBroker.stop() }
        let second = try config(sandbox: sandbox, broker: newBroker, emulator: emulator, dataset: dataset, grace: grace)
        let nextLoader = try CLIProcess(["load", "--config", second, "--entity", "E100"], name: "shutdown-loader-next")
        let poll = try CLI.run(["poll", "--config", second, "--once"])
        XCTAssertEqual(poll.status, 0, poll.output)
        for object in ["APBILL", "GLENTRY"] {
            let expected = try sandbox.records(object: object, entity: "E100").filter { !$0.deleted }.count
            XCTAssertGreaterThan(expected, 0)
            try await eventually("every E100 \(object) is in BigQuery", timeout: .seconds(240), every: .milliseconds(500)) {
                try await self.loadedKeys(object, config: second) == expected
            }
        }
        // With the broker up, a SIGTERM is a clean exit.
        let cleanStatus = try await nextLoader.terminate(timeout: .seconds(grace + 3))
        XCTAssertEqual(cleanStatus, 0, nextLoader.log)
        await sandbox.stop()
    }

    func testASecondSIGTERMExitsAtOnceWhileTheFirstWaitsOnADeadBroker() async throws {
        let sandbox = SandboxServer(configuration: SandboxConfiguration(seed: 32, scale: 3_000))
        try await sandbox.start()
        let broker = try DevBroker()
        // A deadline far longer than the test waits: only the second signal can end the process in time.
        let path = try config(sandbox: sandbox, broker: broker, emulator: "127.0.0.1:9", dataset: "unused", grace: 120)
        let poller = try CLIProcess(["poll", "--config", path], name: "shutdown-poller-twice")
        try await strandPoller(poller, sandbox: sandbox, broker: broker)

        poller.send(SIGTERM)
        try await eventually("the poller says it is shutting down", timeout: .seconds(10)) {
            poller.log.contains("received SIGTERM: shutting down")
        }
        XCTAssertTrue(poller.isRunning, "a page waits for a broker that is gone:\n\(poller.log)")
        let clock = ContinuousClock()
        let asked = clock.now
        poller.send(SIGTERM)
        let status = try await poller.exitStatus(within: .seconds(5))
        XCTAssertLessThan(clock.now - asked, .seconds(2))
        XCTAssertEqual(status, 128 + SIGTERM, poller.log)
        XCTAssertTrue(poller.log.contains("exiting at once"), poller.log)
        await sandbox.stop()
    }

    func testAShutdownDeadlineOfZeroIsRefusedAtStartUpNamingTheKey() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ibq-shutdown-zero-\(UUID().uuidString.prefix(8)).yaml").path
        try """
        company: DEMO
        shutdown: {grace_seconds: 0}
        kafka: {bootstrap_servers: "127.0.0.1:9"}
        bigquery: {project: demo, dataset: unused, emulator_host: "127.0.0.1:9", write_api: insert_all}
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try CLI.run(["load", "--config", path, "--entity", "E100"])
        XCTAssertNotEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("shutdown.grace_seconds"), result.output)
        XCTAssertTrue(result.output.contains(path), "the error names the file:\n\(result.output)")
    }
}
