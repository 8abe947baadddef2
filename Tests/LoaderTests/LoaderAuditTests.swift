import Foundation
import DevBroker
import HTTP
import Kafka
import RecordContract
import Operations
import TestSupport
import XCTest
@testable import Loader

final class LoaderAuditTests: XCTestCase {
    func testTheAuditTopicAndTheLoadersOwnSummariesLandInTheAuditTableAndMetricsCountTheRows() async throws {
        MetricsRegistry.bootstrap()
        let emulator = try await emulatorHost()
        let broker = try DevBroker()
        let company = PublishedCompany(entities: ["E100"], objects: ["APBILL"], topObjects: [], recordsPerObject: 20)
        let pollerRun = Data(#"{"type":"object_run","run_id":"run-1","entity":"E100","object":"APBILL","at":"2026-01-31T12:00:00Z","records":20}"#.utf8)
        try await publish(company.messages + [
            KafkaOutgoingMessage(topic: Topics(company: "demo").audit, key: "E100/APBILL/run-1", value: pollerRun),
        ], to: broker.bootstrapServers)

        let dataset = uniqueDatasetName("ibq_audit")
        let loader = try InProcessLoader(
            configuration: loaderConfiguration(bootstrap: broker.bootstrapServers, emulator: emulator, dataset: dataset, audit: true),
            entity: "E100")
        let client = emulatorClient(host: emulator, dataset: dataset)
        try await waitForTotals(client, company)
        var sources: [String: Int64] = [:]
        try await eventually("poller and loader rows in _audit", timeout: .seconds(60), every: .seconds(1)) {
            guard try await client.table(AuditTable.name) != nil else { return false }
            let result = try await client.query("SELECT source, COUNT(*) AS n FROM \(client.qualified(AuditTable.name)) GROUP BY source")
            sources = Dictionary(result.rows.map { ($0["source"].string ?? "", $0["n"].int64 ?? 0) }, uniquingKeysWith: +)
            return sources["poller"] == 1 && (sources["loader"] ?? 0) > 0
        }
        let summary = try await client.query("""
            SELECT SUM(CAST(JSON_VALUE(payload, '$.rows') AS INT64)) AS rows FROM \(client.qualified(AuditTable.name))
            WHERE source = 'loader' AND object = 'APBILL'
            """)
        let publishedVersions = company.messages.filter { $0.topic == "intacct.demo.e100.apbill" }.count
        XCTAssertEqual(summary.rows.first?["rows"].int64, Int64(publishedVersions), "the summaries account for every version loaded")

        let http = HTTPClient()
        let metrics = try await http.send(HTTPRequest(url: "http://127.0.0.1:\(try await loader.port())/metrics", timeout: .seconds(5)))
        XCTAssertTrue(metrics.bodyText.contains("ibq_loader_rows_loaded_total"), metrics.bodyText)
        XCTAssertTrue(metrics.bodyText.contains("ibq_loader_bigquery_latency_seconds"), metrics.bodyText)
        try await loader.stop()
    }
}
