import Foundation
import XCTest
@testable import Loader

/// The dimension views against the BigQuery emulator: whatever order the loaders prepare their tables
/// in, each view is created once everything it reads exists, and never attempted before.
final class DimensionViewTests: XCTestCase {
    func testViewsDependOnTheRelationsTheirSQLReads() {
        XCTAssertEqual(DimensionViews.dependents(of: "department").map(\.name),
                       [DimensionViews.departmentHierarchy, DimensionViews.glEntryRollup],
                       "the rollup reads department_hierarchy, so it follows it")
        XCTAssertEqual(DimensionViews.dependents(of: "glentry").map(\.name), [DimensionViews.glEntryRollup])
        XCTAssertEqual(DimensionViews.dependents(of: "glaccount").map(\.name), [DimensionViews.glEntryRollup])
        XCTAssertEqual(DimensionViews.dependents(of: "apbill").map(\.name), [])
    }

    func testEveryOrderOfPreparationCreatesBothViewsWithoutAnError() async throws {
        let emulator = try await emulatorHost()
        let orders = [["glentry", "glaccount", "department"], ["department", "glentry", "glaccount"],
                      ["glaccount", "department", "glentry"]]
        for order in orders {
            let store = RecordingLogHandler.Store()
            let client = emulatorClient(host: emulator, dataset: uniqueDatasetName("ibq_views"))
            let preparer = TablePreparer(client: client, logger: RecordingLogHandler.logger(store))
            for table in order { try await preparer.prepare(table) }
            try await assertViewsExist(client, after: order, logs: store)
        }
    }

    /// Another loader has created the department table but not yet its `_current` view (it is between the
    /// two calls): a view over department_hierarchy must wait for that loader instead of failing.
    func testATableWhoseViewsAreNotThereYetHoldsItsDependentsBack() async throws {
        let emulator = try await emulatorHost()
        let store = RecordingLogHandler.Store()
        let client = emulatorClient(host: emulator, dataset: uniqueDatasetName("ibq_views"))
        try await client.ensureDataset()
        let department = try XCTUnwrap(ObjectMappings.mapping(for: "department"))
        try await client.ensureTable(department.tableName, schema: department.schema)

        let preparer = TablePreparer(client: client, logger: RecordingLogHandler.logger(store))
        try await preparer.prepare("glentry")
        try await preparer.prepare("glaccount")
        XCTAssertEqual(store.all.filter { $0.hasPrefix("error") }, [], "no view may be attempted before what it reads exists")
        let early = try await client.table(DimensionViews.glEntryRollup)
        XCTAssertNil(early)

        try await preparer.prepare("department")
        try await assertViewsExist(client, after: ["department table first", "glentry", "glaccount", "department"], logs: store)
    }

    func testLoadersPreparingConcurrentlyEndWithBothViews() async throws {
        let emulator = try await emulatorHost()
        let dataset = uniqueDatasetName("ibq_views")
        let store = RecordingLogHandler.Store()
        // One preparer per table, as separate loader processes would have.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for table in ["glentry", "glaccount", "department"] {
                group.addTask {
                    let client = emulatorClient(host: emulator, dataset: dataset)
                    try await TablePreparer(client: client, logger: RecordingLogHandler.logger(store)).prepare(table)
                }
            }
            try await group.waitForAll()
        }
        try await assertViewsExist(emulatorClient(host: emulator, dataset: dataset), after: ["concurrent"], logs: store)
    }

    private func assertViewsExist(_ client: BigQueryClient, after order: [String], logs: RecordingLogHandler.Store,
                                  file: StaticString = #filePath, line: UInt = #line) async throws {
        for view in [DimensionViews.departmentHierarchy, DimensionViews.glEntryRollup] {
            let found = try await client.table(view)
            XCTAssertEqual(found?.type, "VIEW", "\(view) after preparing \(order)", file: file, line: line)
        }
        let errors = logs.all.filter { $0.hasPrefix("error") }
        XCTAssertEqual(errors, [], "preparing \(order)", file: file, line: line)
        // The rollup reads through the hierarchy: a query proves the definition BigQuery holds is usable.
        let rows = try await client.query("SELECT COUNT(*) AS n FROM \(client.qualified(DimensionViews.glEntryRollup))")
        XCTAssertEqual(rows.rows.first?["n"].int64, 0, file: file, line: line)
    }
}
