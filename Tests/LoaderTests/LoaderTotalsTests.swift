import Foundation
import DevBroker
import TestSupport
import XCTest
@testable import Loader

/// The loader end to end in this process: a DevBroker, the BigQuery emulator, real consumer groups.
final class LoaderTotalsTests: XCTestCase {
    func testTwoReplicasPerEntityLoadEveryObjectWithTheTotalsThatWerePublished() async throws {
        let emulator = try await emulatorHost()
        let broker = try DevBroker()
        let company = PublishedCompany()
        try await publish(company.messages, to: broker.bootstrapServers)
        let dataset = uniqueDatasetName("ibq_totals")
        let configuration = loaderConfiguration(bootstrap: broker.bootstrapServers, emulator: emulator, dataset: dataset)

        var loaders: [InProcessLoader] = []
        for entity in company.entities {
            for _ in 0..<2 { loaders.append(try InProcessLoader(configuration: configuration, entity: entity)) }
        }
        loaders.append(try InProcessLoader(configuration: configuration, entity: "top"))

        let client = emulatorClient(host: emulator, dataset: dataset)
        try await waitForTotals(client, company)
        let ready = try await loaders[0].readiness()
        XCTAssertEqual(ready.status, 200, ready.body)
        try await stopAll(loaders)

        // A key with versions keeps only its latest in _current; its older versions stay in the table.
        // Counted by content: a batch re-delivered after a rebalance may add a copy of a version to the
        // base table (the emulator does not drop repeated insertIds), which the design allows.
        let versions = try await client.query(
            "SELECT COUNT(DISTINCT _content_sha256) AS n FROM \(client.qualified("apbill")) WHERE _key = 'demo/E100/APBILL/4'")
        XCTAssertEqual(versions.rows.first?["n"].int64, 3)
        let deleted = try await client.query("SELECT COUNT(*) AS n FROM \(client.qualified("apbill_current")) WHERE _key = 'demo/E100/APBILL/3'")
        XCTAssertEqual(deleted.rows.first?["n"].int64, 0, "a tombstoned key is gone from _current")

        // Dimension hierarchy: department 9's parent is 4, whose parent is 1 (a top-level department).
        let hierarchy = try await client.query("""
            SELECT path, depth, top_departmentid FROM \(client.qualified(DimensionViews.departmentHierarchy)) WHERE departmentid = 'D9'
            """)
        XCTAssertEqual(hierarchy.rows.first?["path"].string, "D1 > D4 > D9")
        XCTAssertEqual(hierarchy.rows.first?["depth"].int64, 2)
        XCTAssertEqual(hierarchy.rows.first?["top_departmentid"].string, "D1")
    }
}
