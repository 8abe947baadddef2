import Foundation
import Logging
@testable import Loader
import LoaderProcess
import Poller
import Sandbox
import Catalog
import Configuration
import DevBroker
import HTTP
import Kafka
import Operations
import RecordContract
import TestSupport
import XCTest

/// Schema drift end to end: a custom field created in Intacct while the pipeline runs reaches Kafka on
/// the poller's next run and becomes a typed NULLABLE BigQuery column — no restart, no record lost.
///
/// The first test drives the loader-side hook (`SchemaWidening` + `RowConverter` + `insertAll`) by hand,
/// so every step can be checked; the second runs the real `LoaderService`, which calls the hook from its
/// poll loop.
final class SchemaDriftTests: XCTestCase {
    func testANewCustomFieldIsPublishedAndLoadedIntoANewNullableColumnWithoutARestart() async throws {
        guard let emulator = DevServices.load().bigQueryEmulator, !emulator.isEmpty else {
            XCTFail("BigQuery emulator not configured: export IBQ_BIGQUERY_EMULATOR=host:port or run scripts/dev-services start")
            return
        }
        let sandbox = SandboxServer(configuration: SandboxConfiguration(seed: 5, scale: 3_000))
        try await sandbox.start()
        let broker = try DevBroker()
        defer { broker.stop() }
        let company = "drift" + UUID().uuidString.prefix(6).lowercased()
        let yaml = pollerYAML(company: company, kafka: broker.bootstrapServers, sandbox: sandbox, objects: ["APBILL"])
        let configuration = try ConfigurationLoader(environment: [:]).load(PollerConfiguration.self, yaml: yaml, file: "poller.yaml")
        let runtime = try await PollerRuntime.start(configuration, logger: Logger(label: "test.poller"))
        let topic = Topics(company: company).records(entity: "E100", object: "APBILL")
        let kafka = KafkaConfiguration(bootstrap: broker.bootstrapServers)

        let dataset = "ibq_drift_" + UUID().uuidString.prefix(8).lowercased()
        let bigQuery = BigQueryClient(
            configuration: BigQueryConfiguration(project: "demo", dataset: dataset, emulatorHost: emulator,
                                                 backoff: Backoff(initial: .milliseconds(20), maximum: .milliseconds(200), maxRetries: 3)),
            tokenProvider: nil, http: HTTPClient(), logger: Logger(label: "test.bigquery"))
        try await bigQuery.ensureDataset()
        let widening = SchemaWidening(client: bigQuery, logger: Logger(label: "test.widening"))
        var loaded: [Int32: Int64] = [:]

        // Loads every message after the last one loaded, as the loader's batch loop would.
        func loadNewMessages() async throws -> [KafkaMessage] {
            var fresh: [KafkaMessage] = []
            try await TopicSnapshotReader(kafka: kafka, logger: Logger(label: "test.reader")).scan(topics: [topic]) { message in
                if message.offset > loaded[message.partition, default: -1] && message.value != nil { fresh.append(message) }
            }
            let records = try fresh.map { (envelope: try RecordEnvelope.decode($0.value!),
                                          hints: FieldTypeHints(header: $0.header(RecordEnvelope.Header.fieldTypes)?.value.map { String(decoding: $0, as: UTF8.self) })) }
            let mapping = try await widening.prepare(object: "APBILL", records: records)
            let converter = RowConverter(mapping: mapping)
            let rows = try zip(fresh, records).map { message, record in
                try converter.row(for: record.envelope, from: KafkaCoordinates(topic: message.topic, partition: message.partition, offset: message.offset))
            }
            for start in stride(from: 0, to: rows.count, by: 500) {
                let result = try await bigQuery.insertAll(into: mapping.tableName, rows: Array(rows[start..<min(start + 500, rows.count)]))
                XCTAssertTrue(result.allWritten, "\(result.rowErrors)")
            }
            for message in fresh { loaded[message.partition] = max(loaded[message.partition, default: -1], message.offset) }
            return fresh
        }

        // Run 1: the company's own custom fields already flow, typed.
        let first = await runtime.coordinator.run(runtime.coordinator.targets, trigger: "test")
        XCTAssertTrue(first.allSatisfy(\.succeeded), "\(first.map(\.failure))")
        let firstMessages = try await loadNewMessages()
        XCTAssertFalse(firstMessages.isEmpty)
        let firstEnvelope = try RecordEnvelope.decode(firstMessages[0].value!)
        XCTAssertNotNil(firstEnvelope[field: "CUSTOMFIELD_TAX_RATE"])
        XCTAssertNil(firstEnvelope[field: "CUSTOMFIELD_COST_CENTER"])
        let before = try await bigQuery.table("apbill")
        XCTAssertEqual(before?.schema.column(named: "customfield_tax_rate")?.type, .numeric)
        XCTAssertNil(before?.schema.column(named: "customfield_cost_center"))

        // Drift: a new custom field, then some records change.
        try sandbox.addCustomField(object: "APBILL", field: "CUSTOMFIELD_COST_CENTER", type: "INTEGER")
        sandbox.advanceClock(seconds: 600)
        let modified = try sandbox.mutate(object: "APBILL", entity: "E100", modify: 7).modified

        // Run 2, same poller process: it looks the object up again and selects the new field.
        let second = await runtime.coordinator.run(runtime.coordinator.targets, trigger: "test")
        XCTAssertTrue(second.allSatisfy(\.succeeded), "\(second.map(\.failure))")
        let secondMessages = try await loadNewMessages()
        var published: [String: String] = [:]
        for message in secondMessages {
            let envelope = try RecordEnvelope.decode(message.value!)
            if let value = envelope[field: "CUSTOMFIELD_COST_CENTER"], !value.isEmpty { published[envelope.recordNo] = value }
            let hints = FieldTypeHints(header: message.header(RecordEnvelope.Header.fieldTypes)?.value.map { String(decoding: $0, as: UTF8.self) })
            XCTAssertEqual(hints["CUSTOMFIELD_COST_CENTER"], .integer)
        }
        XCTAssertEqual(Set(published.keys), Set(modified), "the modified records carry the new field's values")

        let after = try await bigQuery.table("apbill")
        let column = try XCTUnwrap(after?.schema.column(named: "customfield_cost_center"))
        XCTAssertEqual(column.type, .int64)
        XCTAssertEqual(column.mode, .nullable)
        let table = bigQuery.qualified("apbill")
        let withValues = try await bigQuery.query("""
            SELECT recordno, customfield_cost_center FROM \(table) WHERE customfield_cost_center IS NOT NULL ORDER BY recordno
            """)
        var inTable: [String: String] = [:]
        for row in withValues.rows {
            if case let .int64(recordNo) = row["recordno"], case let .int64(value) = row["customfield_cost_center"] { inTable["\(recordNo)"] = "\(value)" }
        }
        XCTAssertEqual(inTable, published, "values land in the new column, typed")

        // Nothing lost: every version the sandbox has is in the table, and every published message is a row.
        let counts = try await bigQuery.query("SELECT COUNT(*) AS n, COUNT(DISTINCT CONCAT(_key, '|', CAST(_source_modified_at AS STRING))) AS versions FROM \(table)")
        XCTAssertEqual(counts.rows.first?["n"].int64, Int64(firstMessages.count + secondMessages.count))
        let expected = try sandbox.records(object: "APBILL", entity: "E100").filter { !$0.deleted }
        let currentVersions = try await bigQuery.query("""
            SELECT COUNT(*) AS n FROM (SELECT _key, MAX(_source_modified_at) AS m FROM \(table) GROUP BY _key)
            """)
        XCTAssertEqual(currentVersions.rows.first?["n"].int64, Int64(expected.count))
        XCTAssertEqual(counts.rows.first?["versions"].int64, Int64(expected.count + modified.count))

        await runtime.close()
        await sandbox.stop()
        try? await bigQuery.deleteDataset(dataset)
    }

    func testTheRunningLoaderServiceAddsTheColumnAndLoadsTheNewValues() async throws {
        guard let emulator = DevServices.load().bigQueryEmulator, !emulator.isEmpty else {
            XCTFail("BigQuery emulator not configured: export IBQ_BIGQUERY_EMULATOR=host:port or run scripts/dev-services start")
            return
        }
        let sandbox = SandboxServer(configuration: SandboxConfiguration(seed: 6, scale: 3_000))
        try await sandbox.start()
        let broker = try DevBroker()
        defer { broker.stop() }
        let company = "driftsvc" + UUID().uuidString.prefix(6).lowercased()
        let yaml = pollerYAML(company: company, kafka: broker.bootstrapServers, sandbox: sandbox, objects: ["APBILL", "GLENTRY"])
        let poller = try await PollerRuntime.start(
            try ConfigurationLoader(environment: [:]).load(PollerConfiguration.self, yaml: yaml, file: "poller.yaml"),
            logger: Logger(label: "test.poller"))
        let dataset = "ibq_driftsvc_" + UUID().uuidString.prefix(8).lowercased()
        let loader = try InProcessLoader(company: company, bootstrapServers: broker.bootstrapServers, dataset: dataset, emulator: emulator, entity: "E100")
        let bigQuery = loader.bigQuery
        let kafka = KafkaConfiguration(bootstrap: broker.bootstrapServers)
        let topics = Topics(company: company)

        func publishedCount(_ object: String) async throws -> Int {
            var count = 0
            try await TopicSnapshotReader(kafka: kafka, logger: loader.logger).scan(topics: [topics.records(entity: "E100", object: object)]) {
                if $0.value != nil { count += 1 }
            }
            return count
        }
        func rowCount(_ table: String, where condition: String = "TRUE") async throws -> Int {
            guard try await bigQuery.table(table) != nil else { return -1 }
            let result = try await bigQuery.query("SELECT COUNT(*) AS n FROM \(bigQuery.qualified(table)) WHERE \(condition)")
            return Int(result.rows.first?["n"].int64 ?? -1)
        }

        let first = await poller.coordinator.run(poller.coordinator.targets, trigger: "test")
        XCTAssertTrue(first.allSatisfy(\.succeeded))
        let firstCount = try await publishedCount("APBILL")
        try await eventually("the first run is loaded", timeout: .seconds(120)) { try await rowCount("apbill") == firstCount }

        try sandbox.addCustomField(object: "APBILL", field: "CUSTOMFIELD_COST_CENTER", type: "INTEGER")
        try sandbox.addCustomField(object: "GLENTRY", field: "GLDIM_FUND", type: "ENUM")
        sandbox.advanceClock(seconds: 600)
        let modified = try sandbox.mutate(object: "APBILL", entity: "E100", modify: 5).modified
        let modifiedLines = try sandbox.mutate(object: "GLENTRY", entity: "E100", modify: 2).modified
        let second = await poller.coordinator.run(poller.coordinator.targets, trigger: "test")
        XCTAssertTrue(second.allSatisfy(\.succeeded))
        let totalCount = try await publishedCount("APBILL")
        let totalLines = try await publishedCount("GLENTRY")
        try await eventually("the second run is loaded", timeout: .seconds(120)) {
            let bills = try await rowCount("apbill")
            let lines = try await rowCount("glentry")
            return bills == totalCount && lines == totalLines
        }
        let apbill = try await bigQuery.table("apbill")
        XCTAssertEqual(apbill?.schema.column(named: "customfield_cost_center")?.type, .int64)
        XCTAssertEqual(apbill?.schema.column(named: "customfield_cost_center")?.mode, .nullable)
        let glentry = try await bigQuery.table("glentry")
        XCTAssertEqual(glentry?.schema.column(named: "gldim_fund")?.type, .string)
        let withCostCenter = try await rowCount("apbill", where: "customfield_cost_center IS NOT NULL")
        XCTAssertEqual(withCostCenter, modified.count)
        let withFund = try await rowCount("glentry", where: "gldim_fund IS NOT NULL")
        XCTAssertEqual(withFund, modifiedLines.count)
        let inRaw = try await rowCount("apbill", where: "_raw IS NOT NULL")
        XCTAssertEqual(inRaw, 0, "no field is left untyped in _raw")
        // The company's own custom fields were typed from the first batch on.
        XCTAssertEqual(apbill?.schema.column(named: "customfield_tax_rate")?.type, .numeric)
        let withoutTaxRate = try await rowCount("apbill", where: "customfield_tax_rate IS NULL")
        XCTAssertEqual(withoutTaxRate, 0)

        try await loader.stop()
        await poller.close()
        await sandbox.stop()
        try? await bigQuery.deleteDataset(dataset)
    }

    /// The poller configuration both tests run with: the sandbox's credentials, one subsidiary.
    private func pollerYAML(company: String, kafka: String, sandbox: SandboxServer, objects: [String]) -> String {
        """
        company: \(company)
        \(PipelineConfigurationFile.source(bootstrapServers: kafka, sandbox: sandbox))
        poller:
          entities: [E100]
          objects: [\(objects.joined(separator: ", "))]
        """
    }
}
