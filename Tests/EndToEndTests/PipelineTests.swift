import Foundation
import Sandbox
import DevBroker
import TestSupport
import XCTest

/// The whole pipeline as operators run it: the sandbox company, a Kafka broker, the poller and one
/// loader per subsidiary as separate processes, the BigQuery emulator; then `reconcile` compares the
/// warehouse with the sandbox's own figures. Changes and deletes between two polls must reconcile too.
final class PipelineTests: XCTestCase {
    func testABackfillThenChangesAndDeletesReconcileWithTheSandbox() async throws {
        guard let emulator = DevServices.load().bigQueryEmulator else {
            return XCTFail("needs the BigQuery emulator: run scripts/dev-services start or set IBQ_BIGQUERY_EMULATOR")
        }
        let sandbox = SandboxServer(configuration: SandboxConfiguration(seed: 5, scale: 4_000))
        try await sandbox.start()
        let broker = try DevBroker()
        let dataset = "e2e_\(UUID().uuidString.prefix(8).lowercased())"
        let config = try PipelineConfigurationFile.write(
            name: "e2e", dataset: dataset, broker: broker, sandbox: sandbox, emulator: emulator,
            poller: """
              entities: [E100, E200, E300]
              objects: [GLACCOUNT, DEPARTMENT, VENDOR, PROJECT, GLBATCH, GLENTRY, APBILL, APPYMT]
            """)

        let loaders = try ["E100", "E200", "E300", "top"].map {
            try CLIProcess(["load", "--config", config, "--entity", $0], name: "loader-\($0)")
        }

        let first = try CLI.run(["poll", "--config", config, "--once"])
        XCTAssertEqual(first.status, 0, first.output)
        try reconcile(config: config, sandbox: sandbox, loaders: loaders, step: "after the backfill")

        // Between two polls: bills change and disappear (with their payments), journals are reposted.
        _ = sandbox.advanceClock(seconds: 3600)
        _ = try sandbox.mutate(object: "APBILL", entity: "E100", modify: 7, delete: 3)
        _ = try sandbox.mutate(object: "GLENTRY", entity: "E200", modify: 2, delete: 1)
        let second = try CLI.run(["poll", "--config", config, "--once"])
        XCTAssertEqual(second.status, 0, second.output)
        try reconcile(config: config, sandbox: sandbox, loaders: loaders, step: "after changes and deletes")

        for loader in loaders { _ = try await loader.terminate() }
        broker.stop()
        await sandbox.stop()
    }

    private func reconcile(config: String, sandbox: SandboxServer, loaders: [CLIProcess], step: String) throws {
        let result = try CLI.run(["reconcile", "--config", config, "--sandbox", sandbox.gatewayURL.absoluteString, "--wait", "240"])
        XCTAssertEqual(result.status, 0, "\(step):\n\(result.output)\n--- loader logs ---\n\(loaders.map(\.log).joined(separator: "\n"))")
        XCTAssertTrue(result.output.contains("RECONCILED: every line equal."), "\(step):\n\(result.output)")
        XCTAssertFalse(result.output.contains("DIFFERENT"), step)
    }
}
