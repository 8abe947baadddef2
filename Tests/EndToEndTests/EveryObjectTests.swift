import Foundation
import Logging
import Loader
import LoaderProcess
import Poller
import Sandbox
import ServiceLifecycle
import Catalog
import Configuration
import DevBroker
import HTTP
import Kafka
import RecordContract
import TestSupport
import XCTest

/// Issue #16's objects go end to end: the sandbox's AR, cash, item, employee, task and budget objects
/// from the built-in catalog's defaults, and CUSTOMER_CONTRACT (a platform object) named only in the
/// configuration, through `poll --once`, the dev broker and one loader per subsidiary plus `top`, into
/// typed tables whose `_current` views hold exactly the records the sandbox lists per entity.
final class EveryObjectTests: XCTestCase {
    static let catalogued = [
        "CUSTOMER", "ARINVOICE", "ARINVOICEITEM", "ARPYMT", "ARADJUSTMENT", "ARADJUSTMENTITEM", "CHECKINGACCOUNT",
        "SAVINGSACCOUNT", "CREDITCARD", "DEPOSIT", "PROVIDERBANKACCOUNT", "ITEM", "EMPLOYEE", "TASK", "GLBUDGETITEM",
    ]
    static let objects = catalogued + ["CUSTOMER_CONTRACT"]
    static let subsidiaries = ["E100", "E200", "E300"]

    /// Sandbox, broker, BigQuery client and loaders, started for real on ephemeral ports.
    private struct Pipeline {
        let sandbox: SandboxServer
        let broker: DevBroker
        let company: String
        let dataset: String
        let emulator: String
        let bigQuery: BigQueryClient
        let group: ServiceGroup
        let running: Task<Void, Error>

        var pollerYAML: String {
            """
            company: \(company)
            \(PipelineConfigurationFile.source(bootstrapServers: broker.bootstrapServers, sandbox: sandbox))
            poller:
              entities: [\(EveryObjectTests.subsidiaries.joined(separator: ", "))]
            """
        }

        func poller(objects: [String]) async throws -> PollerRuntime {
            let yaml = pollerYAML + "\n  objects: [\(objects.joined(separator: ", "))]"
            return try await PollerRuntime.start(
                try ConfigurationLoader(environment: [:]).load(PollerConfiguration.self, yaml: yaml, file: "poller.yaml"),
                logger: Logger(label: "test.poller"))
        }

        /// Record numbers per entity in `<object>_current`; empty while the view does not exist yet.
        func currentKeys(_ object: String) async throws -> [String: Set<String>] {
            let view = object.lowercased() + "_current"
            guard try await bigQuery.table(object.lowercased()) != nil else { return [:] }
            let result: QueryResult
            do { result = try await bigQuery.query("SELECT _entity AS entity, recordno FROM \(bigQuery.qualified(view))") } catch let error as BigQueryError where error.isNotFound {
                return [:]
            }
            var keys: [String: Set<String>] = [:]
            for row in result.rows {
                let recordNo = row["recordno"].int64.map(String.init) ?? row["recordno"].string ?? "?"
                keys[row["entity"].string ?? "?", default: []].insert(recordNo)
            }
            return keys
        }

        func stop() async throws {
            await group.triggerGracefulShutdown()
            try await running.value
            await sandbox.stop()
            try? await bigQuery.deleteDataset(dataset)
            broker.stop()
        }
    }

    private func startPipeline(loaders entities: [String]) async throws -> Pipeline? {
        guard let emulator = DevServices.load().bigQueryEmulator, !emulator.isEmpty else {
            XCTFail("BigQuery emulator not configured: export IBQ_BIGQUERY_EMULATOR=host:port or run scripts/dev-services start")
            return nil
        }
        let sandbox = SandboxServer(configuration: SandboxConfiguration(seed: 16, scale: 300))
        try await sandbox.start()
        let broker = try DevBroker()
        let company = "every" + UUID().uuidString.prefix(6).lowercased()
        let dataset = "ibq_every_" + UUID().uuidString.prefix(8).lowercased()
        var quiet = Logger(label: "test.loader")
        quiet.logLevel = .error
        var services: [any Service] = []
        for entity in entities {
            let configuration = LoaderConfiguration(
                company: company,
                kafka: KafkaSettings(bootstrapServers: broker.bootstrapServers, properties: ["session.timeout.ms": "6000", "heartbeat.interval.ms": "500"]),
                bigquery: BigQuerySettings(project: "demo", dataset: dataset, emulatorHost: emulator,
                                           emulatorGRPCHost: DevServices.load().bigQueryGRPC),
                loader: LoaderSettings(batchRows: 2000, lingerMilliseconds: 200, httpPort: 0, retryMaxMilliseconds: 1000),
                environment: [:])
            let service = try LoaderService(configuration: configuration, entity: entity, httpHost: "127.0.0.1", logger: quiet)
            services += [service.operations, service]
        }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: services, logger: quiet))
        let running = Task { try await group.run() }
        let bigQuery = BigQueryClient(
            configuration: BigQueryConfiguration(project: "demo", dataset: dataset, emulatorHost: emulator),
            tokenProvider: nil, http: HTTPClient(), logger: quiet)
        return Pipeline(sandbox: sandbox, broker: broker, company: company, dataset: dataset, emulator: emulator, bigQuery: bigQuery,
                        group: group, running: running)
    }

    /// The live records of `object` per entity, as the sandbox's admin API lists them.
    private func liveKeys(_ object: String, in sandbox: SandboxServer) throws -> [String: Set<String>] {
        var keys: [String: Set<String>] = [:]
        for entity in ["top"] + Self.subsidiaries {
            guard let records = try? sandbox.records(object: object, entity: entity) else { continue }
            let live = Set(records.filter { !$0.deleted }.map(\.recordno))
            if !live.isEmpty { keys[entity] = live }
        }
        return keys
    }

    func testEveryObjectOfTheIssueReachesATypedTableAndACurrentViewHoldingWhatTheSandboxHoldsPerEntity() async throws {
        XCTAssertNil(ObjectCatalog.standard["CUSTOMER_CONTRACT"], "the custom object must work from the configuration alone")
        guard let pipeline = try await startPipeline(loaders: Self.subsidiaries + [RecordKey.topLevelEntity]) else { return }
        let sandbox = pipeline.sandbox

        // The catalog's defaults agree with what this company's lookup says (names and types).
        let client = try PollerRuntime.intacctClient(
            for: try ConfigurationLoader(environment: [:]).load(PollerConfiguration.self, yaml: pipeline.pollerYAML + "\n  objects: [CUSTOMER]", file: "poller.yaml"))
        for name in Self.catalogued {
            let listed = Dictionary(uniqueKeysWithValues: try await client.lookup(object: name).map(\.discoveredField).map { ($0.name, $0.type) })
            for field in try XCTUnwrap(ObjectCatalog.standard[name]).fields {
                XCTAssertEqual(listed[field.name], field.type, "\(name).\(field.name): the catalog's type is not lookup's")
            }
        }

        // discover lists every object with its types, read the way the catalog or lookup says.
        let configPath = FileManager.default.temporaryDirectory.appendingPathComponent("every-\(UUID().uuidString).yaml").path
        try (pipeline.pollerYAML + "\n  objects: [\(Self.objects.joined(separator: ", "))]\n"
             + "bigquery: {project: demo, dataset: \(pipeline.dataset), emulator_host: \"\(pipeline.emulator)\"}\n").write(toFile: configPath, atomically: true, encoding: .utf8)
        let discovered = try CLI.run(["discover", "--config", configPath, "--json"])
        XCTAssertEqual(discovered.status, 0, discovered.output)
        let jsonStart = discovered.output.firstIndex(of: "{") ?? discovered.output.startIndex
        let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(discovered.output[jsonStart...].utf8)) as? [String: Any], discovered.output)
        let entries = try XCTUnwrap(document["objects"] as? [[String: Any]])
        XCTAssertEqual(entries.compactMap { $0["object"] as? String }, Self.objects)
        for entry in entries {
            let name = entry["object"] as? String ?? "?"
            XCTAssertEqual(entry["catalogued"] as? Bool, name != "CUSTOMER_CONTRACT", name)
            XCTAssertEqual(entry["reading"] as? String, name == "PROVIDERBANKACCOUNT" ? "snapshot" : "incremental", name)
            let fields = try XCTUnwrap(entry["fields"] as? [[String: Any]], name)
            XCTAssertTrue(fields.allSatisfy { $0["bigquery_type"] is String }, "\(name): every field typed")
        }
        let contract = try XCTUnwrap(entries.first { $0["object"] as? String == "CUSTOMER_CONTRACT" }?["fields"] as? [[String: Any]])
        XCTAssertEqual(contract.first { $0["name"] as? String == "CONTRACT_VALUE" }?["bigquery_type"] as? String, "NUMERIC")
        XCTAssertEqual(contract.first { $0["name"] as? String == "RCUSTOMER" }?["bigquery_type"] as? String, "INT64")

        // poll --once, as a user runs it: exit 0 only when every stream of every object succeeded.
        let polled = try CLI.run(["poll", "--config", configPath, "--once"])
        XCTAssertEqual(polled.status, 0, polled.output)

        // load: each object's view holds exactly the sandbox's live records, per entity (so top-level
        // objects were published under `top` and the others under their subsidiary).
        var expected: [String: [String: Set<String>]] = [:]
        for object in Self.objects { expected[object] = try liveKeys(object, in: sandbox) }
        let totals = sandbox.totals()
        for object in Self.catalogued {
            for (entity, keys) in expected[object] ?? [:] {
                XCTAssertEqual(totals[entity]?[object]?.count, keys.count, "\(object) in \(entity): /admin/totals and /admin/records agree")
            }
        }
        XCTAssertEqual(expected["CUSTOMER_CONTRACT"]?.keys.sorted(), ["top"])
        XCTAssertEqual(Set(expected["ARINVOICE"].map { Array($0.keys) } ?? []), Set(Self.subsidiaries))
        try await eventually("every object's _current view equals the sandbox per entity", timeout: .seconds(120), every: .milliseconds(500)) {
            for object in Self.objects where try await pipeline.currentKeys(object) != expected[object] { return false }
            return true
        }
        for object in Self.objects {
            let schema = try await pipeline.bigQuery.table(object.lowercased())?.schema
            XCTAssertEqual(schema?.column(named: "recordno")?.type, .int64, object)
            let untyped = try await pipeline.bigQuery.query(
                "SELECT COUNT(*) AS n FROM \(pipeline.bigQuery.qualified(object.lowercased())) WHERE _raw IS NOT NULL")
            XCTAssertEqual(untyped.rows.first?["n"].int64, 0, "\(object): no field is left in _raw")
        }
        // The catalog's money fields sum, per entity, to the sandbox's own totals to the cent.
        for object in Self.catalogued {
            guard let amount = ObjectCatalog.standard[object]?.amountField else { continue }
            let sums = try await pipeline.bigQuery.query(
                "SELECT _entity AS entity, SUM(\(amount.lowercased())) AS amount FROM \(pipeline.bigQuery.qualified(object.lowercased() + "_current")) GROUP BY _entity")
            XCTAssertEqual(sums.rows.count, Self.subsidiaries.count, object)
            for row in sums.rows {
                let entity = row["entity"].string ?? "?"
                XCTAssertEqual(row["amount"].decimal, totals[entity]?[object].flatMap { Decimal(string: $0.amount) }, "\(object).\(amount) in \(entity)")
            }
        }
        // reconcile, as a controller runs it, compares the catalogued ones line by line and finds them equal.
        let reconciled = try CLI.run(["reconcile", "--config", configPath, "--sandbox", sandbox.gatewayURL.absoluteString, "--wait", "30"])
        XCTAssertEqual(reconciled.status, 0, reconciled.output)
        XCTAssertTrue(reconciled.output.contains("ARINVOICE") && reconciled.output.contains("GLBUDGETITEM"), reconciled.output)
        let typed: [(String, String, ColumnType)] = [
            ("ARINVOICE", "totaldue", .numeric), ("ARINVOICE", "trx_totaldue", .numeric), ("ARINVOICE", "whendue", .date),
            ("ARPYMT", "receiptdate", .date), ("CUSTOMER", "onhold", .bool), ("CUSTOMER", "customfield_industry", .string),
            ("PROVIDERBANKACCOUNT", "whencreated", .timestamp), ("GLBUDGETITEM", "amount", .numeric), ("TASK", "priority", .int64),
            ("CUSTOMER_CONTRACT", "contract_value", .numeric), ("CUSTOMER_CONTRACT", "start_date", .date),
            ("CUSTOMER_CONTRACT", "whenmodified", .timestamp), ("CUSTOMER_CONTRACT", "customfield_renewal_owner", .string),
        ]
        for (object, column, type) in typed {
            let schema = try await pipeline.bigQuery.table(object.lowercased())?.schema
            XCTAssertEqual(schema?.column(named: column)?.type, type, "\(object).\(column)")
        }

        try await pipeline.stop()
    }

    func testDeletedProviderBankAccountsArriveAsTombstonesOnTheNextRunAndLeaveTheView() async throws {
        guard let pipeline = try await startPipeline(loaders: [RecordKey.topLevelEntity]) else { return }
        let poller = try await pipeline.poller(objects: ["PROVIDERBANKACCOUNT"])
        let target = try XCTUnwrap(poller.coordinator.targets.first)
        XCTAssertTrue(target.readsSnapshots, "Intacct gives bank feeds no WHENMODIFIED")
        XCTAssertEqual(target.deleteDetection, .reconciliation)

        let first = await poller.coordinator.run([target], trigger: "test")
        XCTAssertEqual(first.map(\.succeeded), [true], "\(first.map { $0.failure.map { "\($0)" } ?? "ok" })")
        let before = try liveKeys("PROVIDERBANKACCOUNT", in: pipeline.sandbox)
        XCTAssertEqual(before["top"]?.count, 15)
        try await eventually("the first snapshot is loaded", timeout: .seconds(60), every: .milliseconds(300)) {
            try await pipeline.currentKeys("PROVIDERBANKACCOUNT") == before
        }

        let deleted = try pipeline.sandbox.mutate(object: "PROVIDERBANKACCOUNT", entity: "top", delete: 2).deleted
        XCTAssertEqual(deleted.count, 2)
        let second = await poller.coordinator.run([target], trigger: "test")
        XCTAssertEqual(second.map(\.succeeded), [true], "\(second.map { $0.failure.map { "\($0)" } ?? "ok" })")
        XCTAssertEqual(second.first?.tombstones, 2)
        // The 13 accounts left are exactly as the first run published them: the snapshot sends none again.
        XCTAssertEqual(second.first?.records, 0, "a snapshot re-read publishes only what changed")
        let after = try liveKeys("PROVIDERBANKACCOUNT", in: pipeline.sandbox)
        XCTAssertEqual(after["top"], before["top"]?.subtracting(deleted))
        try await eventually("the deleted accounts leave the _current view", timeout: .seconds(60), every: .milliseconds(300)) {
            try await pipeline.currentKeys("PROVIDERBANKACCOUNT") == after
        }
        let tombstones = try await pipeline.bigQuery.query(
            "SELECT COUNT(*) AS n FROM \(pipeline.bigQuery.qualified("providerbankaccount")) WHERE _deleted")
        XCTAssertEqual(tombstones.rows.first?["n"].int64, 2, "the base table keeps the deletes as rows")

        await poller.close()
        try await pipeline.stop()
    }
}
