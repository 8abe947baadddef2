import Foundation
import DevBroker
import TestSupport
import XCTest
@testable import Loader

/// `intacct-bigquery load` as a real process, killed without warning in the middle of a load.
final class LoaderCrashTests: XCTestCase {
    func testKillingTheLoaderMidLoadAndRestartingItLoadsTheSameTotalsWithoutDuplicatesInCurrent() async throws {
        let emulator = try await emulatorHost()
        let broker = try DevBroker()
        let company = PublishedCompany(entities: ["E200"], objects: ["GLENTRY", "APBILL", "APPYMT", "GLBATCH"], topObjects: [],
                                       recordsPerObject: 2_000)
        try await publish(company.messages, to: broker.bootstrapServers)
        let dataset = uniqueDatasetName("ibq_kill")
        let config = try writeLoaderConfig(bootstrap: broker.bootstrapServers, emulator: emulator, dataset: dataset)
        let client = emulatorClient(host: emulator, dataset: dataset)

        // 8,000 rows: with 2,000 a quiet machine sometimes loaded them all before the kill landed.
        let first = try loaderProcess(configPath: config, entity: "E200")
        try await eventually("the first rows are in BigQuery", timeout: .seconds(120), every: .milliseconds(50)) {
            guard try await client.table("glentry") != nil else { return false }
            let count = try await client.query("SELECT COUNT(*) AS n FROM \(client.qualified("glentry"))")
            return (count.rows.first?["n"].int64 ?? 0) > 0
        }
        try await first.killHard()
        let midway = try await totalsMismatches(client, company)
        XCTAssertFalse(midway.isEmpty, "the kill should land before the load finished")

        let second = try loaderProcess(configPath: config, entity: "E200")
        try await waitForTotals(client, company, timeout: .seconds(180))
        let status = try await second.terminate()
        XCTAssertEqual(status, 0, "SIGTERM is a graceful, successful stop:\n\(second.log.suffix(2000))")

        for object in company.objects {
            let view = client.qualified(ObjectMappings.mapping(for: object)!.currentViewName)
            let duplicates = try await client.query("SELECT COUNT(*) - COUNT(DISTINCT _key) AS extra FROM \(view)")
            XCTAssertEqual(duplicates.rows.first?["extra"].int64, 0, "\(object)_current has one row per key")
        }
    }
}
