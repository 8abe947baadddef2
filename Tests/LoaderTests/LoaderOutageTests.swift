import Foundation
import DevBroker
import TestSupport
import XCTest
@testable import Loader

/// BigQuery going away in the middle of a load: the worker holds, reports not ready, and finishes
/// the load with the same totals once BigQuery is back. Uses an emulator process of its own.
final class LoaderOutageTests: XCTestCase {
    func testAnEmulatorOutageMidLoadPausesTheWorkerWhichThenFinishesWithTheSameTotals() async throws {
        let emulator = try EmulatorProcess()
        try await emulator.start()
        let broker = try DevBroker()
        let company = PublishedCompany(entities: ["E100"], objects: ["GLENTRY", "APBILL", "APPYMT"], topObjects: [], recordsPerObject: 60)
        let half = company.messages.count / 2
        try await publish(Array(company.messages[..<half]), to: broker.bootstrapServers)

        let dataset = uniqueDatasetName("ibq_outage")
        let loader = try InProcessLoader(
            configuration: loaderConfiguration(bootstrap: broker.bootstrapServers, emulator: emulator.host, dataset: dataset), entity: "E100")
        let client = emulatorClient(host: emulator.host, dataset: dataset)
        try await eventually("the first half is in BigQuery", timeout: .seconds(120), every: .milliseconds(500)) {
            let totals = try await currentTotals(client, object: "GLENTRY")
            return (totals["E100"]?.count ?? 0) > 0
        }

        try await emulator.stop()
        try await publish(Array(company.messages[half...]), to: broker.bootstrapServers)
        var outageReason = ""
        try await eventually("/readyz reports BigQuery unavailable", timeout: .seconds(60), every: .milliseconds(200)) {
            let (status, body) = try await loader.readiness()
            outageReason = body
            return status == 503
        }
        XCTAssertTrue(outageReason.contains("BigQuery unavailable since"), outageReason)
        // Stay down long enough for several retries with backoff.
        try await Task.sleep(for: .seconds(4))
        let stillDown = try await loader.readiness()
        XCTAssertEqual(stillDown.status, 503)
        XCTAssertFalse(loader.hasEnded, "the worker must not exit because of an outage")

        try await emulator.start()
        try await waitForTotals(client, company, timeout: .seconds(120))
        try await eventually("/readyz is ready again", timeout: .seconds(30), every: .milliseconds(200)) {
            try await loader.readiness().status == 200
        }
        XCTAssertFalse(loader.hasEnded)
        try await loader.stop()
        try await emulator.stop()
    }
}
