import Foundation
import Logging
import Poller
import Sandbox
import Catalog
import Kafka
import RecordContract
import TestSupport
import XCTest

/// `poller.objects` takes any object by name: the sandbox's lookup, not the built-in catalog, decides
/// whether it exists, which fields are selected and whether it can be read incrementally.
final class AnyObjectTests: PollerHarnessTestCase {
    override class var scale: Int { 300 }

    private func mappingFile(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mapping-\(UUID().uuidString).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testAnObjectIntacctDoesNotKnowFailsStartUpWithIntacctsOwnErrorNamingIt() async throws {
        do {
            let runtime = try await harness.runtime(harness.yaml(objects: ["- GLACCOUNT", "- NOSUCHOBJECT"]))
            await runtime.close()
            XCTFail("start-up went on with an object Intacct does not know")
        } catch let error as ObjectDefinitionError {
            XCTAssertEqual(error.object, "NOSUCHOBJECT")
            let text = "\(error)"
            XCTAssertTrue(text.contains("Intacct rejected object NOSUCHOBJECT"), text)
            XCTAssertTrue(text.contains("BL01001973"), text)
            XCTAssertTrue(text.contains("Object definition NOSUCHOBJECT not found"), text)
        }
    }

    func testAFieldLookupDoesNotListIsNeverSelected() async throws {
        let client = try PollerRuntime.intacctClient(for: harness.configuration(harness.yaml()))
        // A catalog that expects a field this company lacks, as GLDETAIL.MEGAENTITYID is on real companies.
        var glDetail = try XCTUnwrap(ObjectCatalog.standard["GLDETAIL"])
        glDetail.fields.append(IntacctObject.Field("SUPERVISORKEY", .integer))
        let mapping = SchemaMapping(objects: ["GLDETAIL": SchemaMapping.Object(fields: ["CLOSINGACCOUNTNO": .init(type: .text, include: true)])])
        let discovery = SchemaDiscovery(client: client, mapping: mapping, logger: Logger(label: "test"))
        let resolved = try await discovery.resolve(glDetail)
        XCTAssertNil(resolved.field(named: "SUPERVISORKEY"), "a catalog field lookup does not list")
        XCTAssertNil(resolved.field(named: "CLOSINGACCOUNTNO"), "a mapping-file field lookup does not list")
        XCTAssertNotNil(resolved.field(named: "DEBITAMOUNT"))
        // And the query built from it runs: the sandbox answers DL02000001-style errors for unknown fields.
        var rows = 0
        for try await page in client.readByQuery(object: "GLDETAIL", fields: resolved.fieldNames, query: "", entity: "E100") {
            rows += page.rows.count
        }
        XCTAssertGreaterThan(rows, 0)
    }

    func testAnObjectNamedOnlyInTheConfigIsReadFromLookupAsSnapshotsWhenItHasNoWhenModified() async throws {
        // AUDITHISTORY is not in the built-in catalog: lookup gives its fields; it has no WHENMODIFIED and
        // no RECORDNO, so the mapping file names its key, as `discover --write` lets a user do.
        // Deletes and changes write the audit trail the stream then reads.
        _ = try harness.sandbox.mutate(object: "VENDOR", modify: 5, delete: 3)
        let path = try mappingFile("objects:\n  AUDITHISTORY: {key_field: ID}\n")
        let runtime = try await harness.runtime(harness.yaml(objects: ["- AUDITHISTORY"], extra: "  mapping_file: \(path)"))
        let target = try XCTUnwrap(runtime.coordinator.targets.first)
        XCTAssertEqual(target.object.keyField, "ID")
        XCTAssertTrue(target.readsSnapshots)
        XCTAssertEqual(target.deleteDetection, .reconciliation)
        XCTAssertEqual(target.entity, RecordKey.topLevelEntity)
        XCTAssertNotNil(target.object.field(named: "ACCESSTIME"), "fields come from lookup")

        let reports = await runtime.coordinator.run(runtime.coordinator.targets, trigger: "test")
        XCTAssertEqual(reports.map(\.succeeded), [true], "\(reports.map { $0.failure.map { "\($0)" } ?? "ok" })")
        let client = try PollerRuntime.intacctClient(for: harness.configuration(harness.yaml()))
        var expected = Set<String>()
        for try await page in client.readByQuery(object: "AUDITHISTORY", fields: ["ID"], query: "", entity: nil) {
            expected.formUnion(page.rows.compactMap { $0["ID"] })
        }
        XCTAssertFalse(expected.isEmpty)
        let messages = try await harness.messages([harness.topic("top", "AUDITHISTORY")])
        let published = Set(messages.compactMap { $0.value }.map { try? RecordEnvelope.decode($0).recordNo }.compactMap { $0 })
        XCTAssertEqual(published, expected)
        await runtime.close()
    }
}

extension AnyObjectTests {
    func testAnObjectReadAsSnapshotsGetsTombstonesForRecordsItNoLongerLists() async throws {
        // With discovery off the target's own definition stands: VENDOR without WHENMODIFIED stands in for
        // an object that has none.
        let runtime = try await harness.runtime(harness.yaml(objects: ["- VENDOR"], extra: "  discover: false"))
        var target = try XCTUnwrap(runtime.coordinator.targets.first)
        target.object.fields.removeAll { $0.name == "WHENMODIFIED" }
        XCTAssertTrue(target.readsSnapshots)
        XCTAssertEqual(target.deleteDetection, .reconciliation)
        let first = await runtime.coordinator.run([target], trigger: "test")
        XCTAssertEqual(first.map(\.succeeded), [true], "\(first.map { $0.failure.map { "\($0)" } ?? "ok" })")
        let live = Set(try harness.sandbox.records(object: "VENDOR").filter { !$0.deleted }.map(\.recordno)).count
        XCTAssertEqual(first.first?.records, live)

        let deleted = try harness.sandbox.mutate(object: "VENDOR", delete: 2).deleted
        XCTAssertEqual(deleted.count, 2)
        let second = await runtime.coordinator.run([target], trigger: "test")
        XCTAssertEqual(second.map(\.succeeded), [true])
        XCTAssertEqual(second.first?.tombstones, 2, "reconciled on every run, not only on poller.reconciliation")
        let messages = try await harness.messages([harness.topic("top", "VENDOR")])
        let tombstoned = Set(messages.filter { $0.value == nil }.compactMap { $0.keyString.flatMap(RecordKey.init(parsing:))?.recordNo })
        XCTAssertEqual(tombstoned, Set(deleted))
        await runtime.close()
    }
}
