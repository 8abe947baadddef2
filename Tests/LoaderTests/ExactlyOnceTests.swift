import Foundation
import DevBroker
import Kafka
import RecordContract
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

    func testATopicRecreatedWithOtherVersionsAtTheSameOffsetsIsWrittenNotSkipped() async throws {
        let emulator = try await emulatorHost()
        let company = PublishedCompany(entities: ["E100"], objects: ["APBILL"], topObjects: [], recordsPerObject: 60)
        let dataset = uniqueDatasetName("ibq_eo_recreated")
        let client = emulatorClient(host: emulator, dataset: dataset)
        let first = try DevBroker()
        try await publish(company.messages, to: first.bootstrapServers)
        let loader = try InProcessLoader(configuration: loaderConfiguration(bootstrap: first.bootstrapServers, emulator: emulator, dataset: dataset),
                                         entity: "E100")
        try await waitForTotals(client, company)
        try await loader.stop()

        // The topic again, from scratch (a broker that lost its log): the same keys in the same order, so
        // the same offsets, but every record changed since. BigQuery holds every one of those offsets.
        let changed = try company.messages.map { message -> KafkaOutgoingMessage in
            guard let value = message.value else { return message }
            let old = try RecordEnvelope.decode(value)
            let fields = old.fields + [RecordField(name: "NOTE_ADDED_LATER", value: "changed")]
            let envelope = RecordEnvelope(key: old.key, whenModified: old.whenModified, extractedAt: "2026-02-01T00:00:00Z", fields: fields)
            return KafkaOutgoingMessage(topic: message.topic, key: message.key, value: envelope.encoded(), headers: message.headers)
        }
        let second = try DevBroker()
        try await publish(changed, to: second.bootstrapServers)
        let again = try InProcessLoader(configuration: loaderConfiguration(bootstrap: second.bootstrapServers, emulator: emulator, dataset: dataset),
                                        entity: "E100")
        let published = company.messages.filter { $0.value != nil }.count
        try await eventually("every changed version is loaded", timeout: .seconds(120), every: .milliseconds(500)) {
            let result = try await client.query("SELECT COUNT(*) AS n FROM \(client.qualified("apbill")) WHERE _extracted_at = TIMESTAMP '2026-02-01 00:00:00'")
            return (result.rows.first?["n"].int64 ?? 0) == Int64(published)
        }
        try await again.stop()
        let audit = try await BaseTableAudit.all(client, company)[0]
        XCTAssertEqual(audit.duplicates, 0, "\(audit)")
        // Each first version, each changed one; the tombstones (same version both times) once.
        XCTAssertEqual(audit.rows, Int64(company.messages.count + published), "\(audit)")
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
