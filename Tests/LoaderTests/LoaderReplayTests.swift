import Foundation
import DevBroker
import TestSupport
import XCTest
@testable import Loader

/// `intacct-bigquery replay` against the dev broker, run as the real binary.
final class LoaderReplayTests: XCTestCase {
    func testReplayFromEarliestRestoresADroppedTableOnceAddsNothingToATableThatHoldsItsRowsAndIsRefusedWhileLoadersRun() async throws {
        let emulator = try await emulatorHost()
        let broker = try DevBroker()
        let company = PublishedCompany(entities: ["E300"], objects: ["APBILL", "APPYMT"], topObjects: [], recordsPerObject: 40)
        try await publish(company.messages, to: broker.bootstrapServers)
        let dataset = uniqueDatasetName("ibq_replay")
        let configuration = loaderConfiguration(bootstrap: broker.bootstrapServers, emulator: emulator, dataset: dataset)
        let config = try writeLoaderConfig(bootstrap: broker.bootstrapServers, emulator: emulator, dataset: dataset)
        let client = emulatorClient(host: emulator, dataset: dataset)

        let loader = try InProcessLoader(configuration: configuration, entity: "E300")
        try await waitForTotals(client, company)

        let whileRunning = try CLI.run(["replay", "--config", config, "--entity", "E300", "--from", "earliest", "--timeout", "3"])
        XCTAssertNotEqual(whileRunning.status, 0)
        XCTAssertTrue(whileRunning.output.contains("replay refused"), whileRunning.output)
        XCTAssertTrue(whileRunning.output.contains("bigquery-loader.demo.e300"), whileRunning.output)

        let byTime = try CLI.run(["replay", "--config", config, "--entity", "E300", "--from", "time:2026-01-31T00:00:00Z"])
        XCTAssertNotEqual(byTime.status, 0)
        XCTAssertTrue(byTime.output.contains("cannot look up offsets by time"), byTime.output)
        XCTAssertTrue(byTime.output.contains("--from earliest"), byTime.output)

        try await loader.stop()
        try await client.deleteTable("apbill")
        let replay = try CLI.run(["replay", "--config", config, "--entity", "E300", "--from", "earliest"])
        XCTAssertEqual(replay.status, 0, replay.output)
        XCTAssertTrue(replay.output.contains("intacct.demo.e300.apbill/0 -> 0"), replay.output)

        let again = try InProcessLoader(configuration: configuration, entity: "E300")
        try await waitForTotals(client, company)
        try await again.stop()
        // apbill was dropped and is restored with every version once; appymt still held every row, and
        // the replay added none to it: the loader skipped the offsets BigQuery already holds.
        try await BaseTableAudit.assertEachVersionOnce(client, company)
    }
}
