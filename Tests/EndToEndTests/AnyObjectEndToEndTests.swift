import Foundation
import Logging
import Loader
import Poller
import Sandbox
import Catalog
import Configuration
import DevBroker
import HTTP
import Kafka
import RecordContract
import TestSupport
import XCTest

/// An object named only in the configuration goes discover → poll → Kafka → BigQuery table and
/// `_current` view with no code for it anywhere: AUDITHISTORY is in neither the poller's catalog nor the
/// loader's mappings, has no RECORDNO (the mapping file names its key) and no WHENMODIFIED (read whole
/// each run). The loader is given no mapping file, so its columns come from the poller's type hints alone.
final class AnyObjectEndToEndTests: XCTestCase {
    func testAnObjectNamedOnlyInTheConfigReachesATypedTableAndItsCurrentView() async throws {
        guard let emulator = DevServices.load().bigQueryEmulator, !emulator.isEmpty else {
            XCTFail("BigQuery emulator not configured: export IBQ_BIGQUERY_EMULATOR=host:port or run scripts/dev-services start")
            return
        }
        XCTAssertNil(ObjectCatalog.standard["AUDITHISTORY"])
        XCTAssertNil(ObjectMappings.mapping(for: "AUDITHISTORY"))
        let sandbox = SandboxServer(configuration: SandboxConfiguration(seed: 8, scale: 500))
        try await sandbox.start()
        let broker = try DevBroker()
        defer { broker.stop() }
        // Changes and deletes write the audit trail.
        _ = try sandbox.mutate(object: "VENDOR", modify: 4, delete: 2)
        let company = "anyobj" + UUID().uuidString.prefix(6).lowercased()
        let base = """
        company: \(company)
        \(PipelineConfigurationFile.source(bootstrapServers: broker.bootstrapServers, sandbox: sandbox))
        poller:
          objects: [AUDITHISTORY]
        """

        // discover: what `discover --write` writes, with the one edit lookup cannot make (the key).
        let first = try ConfigurationLoader(environment: [:]).load(PollerConfiguration.self, yaml: base, file: "poller.yaml")
        let client = try PollerRuntime.intacctClient(for: first)
        let discovered = DiscoveredSchema(objects: ["AUDITHISTORY": try await client.lookup(object: "AUDITHISTORY").map(\.discoveredField)])
        var mapping = discovered.mappingFile(objects: ["AUDITHISTORY"])
        XCTAssertEqual(mapping[object: "AUDITHISTORY"]?.fields["ACCESSTIME"]?.include, true, "every field lookup lists is selected")
        mapping.objects["AUDITHISTORY"]?.keyField = "ID"
        let mappingPath = FileManager.default.temporaryDirectory.appendingPathComponent("mapping-\(UUID().uuidString).yaml").path
        try mapping.write(to: mappingPath)

        // poll
        let poller = try await PollerRuntime.start(
            try ConfigurationLoader(environment: [:]).load(PollerConfiguration.self, yaml: base + "\n  mapping_file: \(mappingPath)", file: "poller.yaml"),
            logger: Logger(label: "test.poller"))
        XCTAssertEqual(poller.coordinator.targets.map(\.readsSnapshots), [true])
        let reports = await poller.coordinator.run(poller.coordinator.targets, trigger: "test")
        XCTAssertTrue(reports.allSatisfy(\.succeeded), "\(reports.map { $0.failure.map { "\($0)" } ?? "ok" })")
        var expected = Set<String>()
        for try await page in client.readByQuery(object: "AUDITHISTORY", fields: ["ID"], query: "", entity: nil) {
            expected.formUnion(page.rows.compactMap { $0["ID"] })
        }
        XCTAssertFalse(expected.isEmpty)

        // load, with no mapping for the object
        let dataset = "ibq_anyobj_" + UUID().uuidString.prefix(8).lowercased()
        let loader = try InProcessLoader(company: company, bootstrapServers: broker.bootstrapServers, dataset: dataset, emulator: emulator, entity: "top")
        let bigQuery = loader.bigQuery
        func count(_ table: String, where condition: String = "TRUE") async throws -> Int {
            guard try await bigQuery.table(table) != nil else { return -1 }
            let result = try await bigQuery.query("SELECT COUNT(*) AS n FROM \(bigQuery.qualified(table)) WHERE \(condition)")
            return Int(result.rows.first?["n"].int64 ?? -1)
        }
        try await eventually("every audit entry is loaded", timeout: .seconds(120)) {
            try await count("audithistory") == expected.count
        }
        let table = try await bigQuery.table("audithistory")
        XCTAssertEqual(table?.schema.column(named: "accesstime")?.type, .timestamp, "typed from lookup's DATATYPE via the poller's hints")
        XCTAssertEqual(table?.schema.column(named: "id")?.mode, .nullable)
        let untyped = try await count("audithistory", where: "_raw IS NOT NULL")
        XCTAssertEqual(untyped, 0, "no field is left in _raw")
        try await eventually("the _current view answers", timeout: .seconds(60)) {
            (try? await count("audithistory_current")) == expected.count
        }

        try await loader.stop()
        await poller.close()
        await sandbox.stop()
        try? await bigQuery.deleteDataset(dataset)
    }
}
