import Foundation
import Sandbox
import DevBroker
import TestSupport
import XCTest

/// Issue #16's reconciliation acceptance as operators run it: the poller moves GL, AR and Intacct's own
/// trial balance, loaders write BigQuery, and `reconcile` must find the trial balance computed from
/// GLENTRY equal to Intacct's per entity and account, and AR totals and open balances equal to the
/// sandbox's, every line.
final class BalanceReconcileTests: XCTestCase {
    func testTheTrialBalanceAndARReconcileWithTheSandbox() async throws {
        guard let emulator = DevServices.load().bigQueryEmulator else {
            return XCTFail("needs the BigQuery emulator: run scripts/dev-services start or set IBQ_BIGQUERY_EMULATOR")
        }
        let sandbox = SandboxServer(configuration: SandboxConfiguration(seed: 9, scale: 3_000))
        try await sandbox.start()
        let broker = try DevBroker()
        let dataset = "tb_\(UUID().uuidString.prefix(8).lowercased())"
        let config = try PipelineConfigurationFile.write(
            name: "tb", dataset: dataset, broker: broker, sandbox: sandbox, emulator: emulator,
            poller: """
              entities: [E100, E200, E300]
              objects: [GLACCOUNT, DEPARTMENT, GLENTRY, ARINVOICE]
            balances:
              kinds: [trial_balance]
              periods: ["2026-01", "2025-01-01..2026-12-31"]
            """)
        let loaders = try ["E100", "E200", "E300", "top"].map {
            try CLIProcess(["load", "--config", config, "--entity", $0], name: "tb-loader-\($0)")
        }
        let poll = try CLI.run(["poll", "--config", config, "--once"])
        XCTAssertEqual(poll.status, 0, poll.output)
        XCTAssertEqual(poll.output.split(separator: "\n").filter { $0.contains("/TRIALBALANCE\tperiod=") && $0.hasSuffix("\tok") }.count, 6, poll.output)

        let result = try CLI.run(["reconcile", "--config", config, "--sandbox", sandbox.gatewayURL.absoluteString, "--wait", "240"])
        for loader in loaders { _ = try await loader.terminate() }
        broker.stop()
        await sandbox.stop()
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("Trial balance per entity and account"), result.output)
        XCTAssertFalse(result.output.contains("(no trial balance in BigQuery"), result.output)
        XCTAssertTrue(result.output.contains("AR invoices per subsidiary"), result.output)
        XCTAssertFalse(result.output.contains("nothing to compare"), result.output)
        XCTAssertFalse(result.output.contains("DIFFERENT"), result.output)
        print(result.output)
    }
}
