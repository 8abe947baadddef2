import Foundation
import DevBroker
import TestSupport
import XCTest
@testable import Loader

/// The exactly-once protocol between BigQuery's commit and Kafka's, against the dev broker and the
/// emulator: a crash between the two, and a rebalance while batches are held, double nothing.
final class ExactlyOnceTests: XCTestCase {
    func testAWorkerKilledAfterBigQueryCommittedAndBeforeKafkaDidDoublesNothingAfterARestart() async throws {
        let emulator = try await emulatorHost()
        let broker = try DevBroker()
        let company = PublishedCompany(entities: ["E100"], objects: ["APBILL", "APPYMT"], topObjects: [], recordsPerObject: 300)
        try await publish(company.messages, to: broker.bootstrapServers)
        let dataset = uniqueDatasetName("ibq_eo_kill")
        let client = emulatorClient(host: emulator, dataset: dataset)
        let yaml = loaderYAML(bootstrap: broker.bootstrapServers, emulator: emulator, dataset: dataset)
            .replacingOccurrences(of: "loader:\n", with: "loader:\n  failpoint: kill_after_bigquery_commit\n")
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("ibq-eo-\(UUID().uuidString.prefix(8)).yaml").path
        try yaml.write(toFile: config, atomically: true, encoding: .utf8)

        let doomed = try loaderProcess(configPath: config, entity: "E100")
        _ = try await doomed.exitStatus(within: .seconds(120))
        XCTAssertTrue(doomed.log.contains("kill_after_bigquery_commit"), "the failpoint killed it:\n\(doomed.log.suffix(2000))")
        let before = try await BaseTableAudit.all(client, company).map(\.rows).reduce(0, +)
        XCTAssertGreaterThan(before, 0, "a batch reached BigQuery before the kill, and no Kafka offset was committed")

        let restarted = try InProcessLoader(
            configuration: loaderConfiguration(bootstrap: broker.bootstrapServers, emulator: emulator, dataset: dataset), entity: "E100")
        try await waitForTotals(client, company)
        try await restarted.stop()
        try await BaseTableAudit.assertEachVersionOnce(client, company)
    }

    func testASecondWorkerJoiningWhileTheFirstHoldsBatchesDoublesNothing() async throws {
        let emulator = try await emulatorHost()
        let broker = try DevBroker()
        let company = PublishedCompany(entities: ["E200"], objects: ["GLENTRY", "APBILL", "APPYMT", "GLBATCH"], topObjects: [],
                                       recordsPerObject: 400)
        try await publish(company.messages, to: broker.bootstrapServers)
        let dataset = uniqueDatasetName("ibq_eo_rebalance")
        let client = emulatorClient(host: emulator, dataset: dataset)
        // Big batches and a long linger: the first worker still holds every record, unwritten, when the
        // second one joins; the rebalance rewinds the partitions it keeps and moves the others.
        var configuration = loaderConfiguration(bootstrap: broker.bootstrapServers, emulator: emulator, dataset: dataset,
                                                lingerMilliseconds: 8000)
        configuration.loader.batchRows = 5000

        let first = try InProcessLoader(configuration: configuration, entity: "E200")
        try await eventually("the first worker holds records", timeout: .seconds(60), every: .milliseconds(20)) {
            first.service.workers[0].holding.records > 0
        }
        let second = try InProcessLoader(configuration: configuration, entity: "E200")
        try await waitForTotals(client, company)
        try await stopAll([first, second])
        try await BaseTableAudit.assertEachVersionOnce(client, company)
    }
}
