import Foundation
import Catalog
import DevBroker
import Kafka
import RecordContract
import TestSupport
import XCTest
@testable import Loader

/// BigQuery going away in the middle of a load: the worker holds, reports not ready, retries each
/// time its backoff comes due, and finishes the load with the same totals once BigQuery is back.
/// Uses an emulator process of its own, and a `ManualClock`: the backoff moves when the test moves
/// time, so the retries are counted exactly and nothing waits for them on the wall clock.
final class LoaderOutageTests: XCTestCase {
    /// An E100 loader on its own emulator and a fresh dataset, and a client of that dataset. No linger:
    /// batches leave on the loop turn after their rows arrive, so with the clock standing still only the
    /// outage backoff waits for time, and the test is what moves it.
    private func startLoader(broker: DevBroker, emulator: EmulatorProcess, dataset prefix: String,
                             clock: ManualClock) throws -> (InProcessLoader, BigQueryClient) {
        let dataset = uniqueDatasetName(prefix)
        let loader = try InProcessLoader(
            configuration: loaderConfiguration(bootstrap: broker.bootstrapServers, emulator: emulator.host, dataset: dataset,
                                               lingerMilliseconds: 0, writeAPI: .insertAll),
            entity: "E100", clock: clock)
        return (loader, emulatorClient(host: emulator.host, dataset: dataset))
    }

    func testAnEmulatorOutageMidLoadPausesTheWorkerWhichRetriesAsTimePassesAndThenFinishesWithTheSameTotals() async throws {
        let emulator = try EmulatorProcess()
        try await emulator.start()
        let broker = try DevBroker()
        let company = PublishedCompany(entities: ["E100"], objects: ["GLENTRY", "APBILL", "APPYMT"], topObjects: [], recordsPerObject: 60)
        let half = company.messages.count / 2
        try await publish(Array(company.messages[..<half]), to: broker.bootstrapServers)

        let clock = ManualClock()
        let (loader, client) = try startLoader(broker: broker, emulator: emulator, dataset: "ibq_outage", clock: clock)
        try await eventually("the first half is in BigQuery", timeout: .seconds(120), every: .milliseconds(200)) {
            let totals = try await currentTotals(client, object: "GLENTRY")
            return (totals["E100"]?.count ?? 0) > 0
        }

        try await emulator.stop()
        try await publish(Array(company.messages[half...]), to: broker.bootstrapServers)
        var reason = ""
        try await eventually("/readyz reports BigQuery unavailable", timeout: .seconds(60), every: .milliseconds(100)) {
            let (status, body) = try await loader.readiness()
            reason = body
            return status == 503
        }
        XCTAssertTrue(reason.contains("BigQuery unavailable since"), reason)
        XCTAssertTrue(reason.contains("(0 retries)"), "no retry before the clock reaches the first backoff: \(reason)")

        // loaderConfiguration caps the backoff at 1 s (retry_max_ms), so each second the clock moves
        // brings exactly one attempt due; each fails while the emulator is down.
        for retries in 1...3 {
            clock.advance(by: .seconds(1))
            try await eventually("retry \(retries) fails and /readyz says so", timeout: .seconds(30), every: .milliseconds(50)) {
                let (status, body) = try await loader.readiness()
                reason = body
                return status == 503 && body.contains("(\(retries) retries)")
            }
        }
        XCTAssertFalse(loader.hasEnded, "the worker must not exit because of an outage")

        try await emulator.start()
        // The next attempt happens once the clock reaches it. A connection the restart left half-closed
        // can fail one more attempt, so time keeps moving until everything is in.
        var mismatches: [String] = []
        do {
            try await eventually("the worker resumes and the totals equal the published ones", timeout: .seconds(120), every: .milliseconds(250)) {
                clock.advance(by: .seconds(1))
                mismatches = try await totalsMismatches(client, company)
                return mismatches.isEmpty
            }
        } catch {
            XCTFail("totals never matched: \(mismatches.joined(separator: "; ")); last /readyz: \(reason)")
            throw error
        }
        try await eventually("/readyz is ready again", timeout: .seconds(30), every: .milliseconds(100)) {
            try await loader.readiness().status == 200
        }
        XCTAssertFalse(loader.hasEnded)
        try await loader.stop()
        // No graceful stop for the emulator: its data is thrown away with it (deinit kills it), and a
        // graceful stop waits out the open keep-alive connections of `client`.
    }
    /// The first records of an object outside the catalog arrive while BigQuery is down, so its table and
    /// view cannot be made. They wait for BigQuery like any batch: not dead-lettered as an unknown object
    /// (what a failed preparation did before), and loaded with their typed columns once it answers.
    func testAnObjectsFirstRecordsWaitForItsTableWhileBigQueryIsDownThenLoadTyped() async throws {
        let emulator = try EmulatorProcess()
        try await emulator.start()
        let broker = try DevBroker()
        let company = PublishedCompany(entities: ["E100"], objects: ["APBILL"], topObjects: [], recordsPerObject: 10)
        try await publish(company.messages, to: broker.bootstrapServers)
        let clock = ManualClock()
        let (loader, client) = try startLoader(broker: broker, emulator: emulator, dataset: "ibq_unprepared", clock: clock)
        try await eventually("the loader is up and APBILL is in BigQuery", timeout: .seconds(120), every: .milliseconds(200)) {
            try await currentTotals(client, object: "APBILL")["E100"]?.count ?? 0 > 0
        }

        try await emulator.stop()
        let hints = FieldTypeHints(["CONTRACT_VALUE": .decimal, "START_DATE": .date]).header
        let contracts = (1...12).map { index in
            let envelope = RecordEnvelope(
                key: RecordKey(company: "demo", entity: "E100", object: "CUSTOMER_CONTRACT", recordNo: "\(index)"),
                whenModified: "2026-01-31T12:00:00Z", extractedAt: "2026-01-31T13:00:00Z",
                fields: [RecordField(name: "RECORDNO", value: "\(index)"), RecordField(name: "CONTRACT_VALUE", value: "\(index)00.25"),
                         RecordField(name: "START_DATE", value: "2026-01-0\(index % 9 + 1)")])
            return KafkaOutgoingMessage(topic: envelope.key.topic, key: envelope.key.description, value: envelope.encoded(),
                                        headers: [KafkaHeader(name: RecordEnvelope.Header.fieldTypes, string: hints)])
        }
        try await publish(contracts, to: broker.bootstrapServers)
        var reason = ""
        try await eventually("/readyz reports BigQuery unavailable", timeout: .seconds(60), every: .milliseconds(100)) {
            let (status, body) = try await loader.readiness()
            reason = body
            return status == 503
        }

        try await emulator.start()
        var found = ""
        do {
            try await eventually("the contracts are in their view, typed", timeout: .seconds(120), every: .milliseconds(250)) {
                clock.advance(by: .seconds(1))
                guard try await client.table("customer_contract_current") != nil else { return false }
                let result = try await client.query(
                    "SELECT COUNT(*) AS n, SUM(contract_value) AS total, COUNT(start_date) AS dated FROM \(client.qualified("customer_contract_current"))")
                found = "\(result.rows.first.map { "\($0["n"]) \($0["total"]) \($0["dated"])" } ?? "none")"
                return result.rows.first?["n"].int64 == 12 && result.rows.first?["total"].decimal == Decimal(7803)
                    && result.rows.first?["dated"].int64 == 12
            }
        } catch {
            XCTFail("the contracts never loaded typed: \(found); /readyz during the outage: \(reason)")
            throw error
        }
        try await loader.stop()
    }
}
