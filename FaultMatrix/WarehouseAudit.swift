import Foundation
import Loader
import Logging
import Sandbox
import Catalog
import Timestamps

/// The reconciliation of one scenario, per key: the records the sandbox lists against the rows of every
/// `<table>_current` view, plus the money totals per entity and object and the AP and AR open balances
/// (as `reconcile` compares them), the dead-letter topic, and every base table holding each version once.
struct WarehouseAudit: Sendable {
    /// Live records in the sandbox, minus the ones the scenario made untypeable on purpose.
    var expected = 0
    /// Rows in the `_current` views.
    var loaded = 0
    /// Expected records with no row in `_current` (dead-lettered or not).
    var missing = 0
    /// Records (entity, object, RECORDNO) with more than one row in `_current`.
    var duplicates = 0
    /// Rows in `_current` for records the sandbox does not have live (a lost delete), or with a malformed `_key`.
    var unexpected = 0
    /// Rows whose `_source_modified_at` is not the record's current WHENMODIFIED (an old version won).
    var stale = 0
    /// Distinct record keys on the dead-letter topic, and how many messages.
    var deadLetterKeys: Set<String> = []
    var deadLetterMessages = 0
    /// Planted dead letters that never reached the dead-letter topic.
    var plantedNotDeadLettered: [String] = []
    /// Lines where count or money per entity and object differ from the sandbox.
    var moneyDifferences: [String] = []
    /// A few example keys, for the report.
    var examples: [String] = []
    /// Rows against distinct versions, per base table.
    var baseTables: [BaseTableCount] = []
    /// Rows beyond one per version, over every base table.
    var baseDuplicates: Int { baseTables.reduce(0) { $0 + $1.duplicates } }

    var isClean: Bool {
        missing == 0 && duplicates == 0 && unexpected == 0 && stale == 0 && moneyDifferences.isEmpty && plantedNotDeadLettered.isEmpty
            && baseDuplicates == 0
    }

    /// Audits until it is clean or `timeout` passes, then returns the last audit. A cheap count comes
    /// first; the per-key audit runs only when the row counts agree.
    static func converge(_ fleet: Fleet, planted: Set<String>, timeout: Duration) async throws -> WarehouseAudit {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        let want = try expectedRecords(fleet.sandbox).count - planted.count
        while true {
            try await fleet.checkLoadersAlive()
            if clock.now >= deadline { return try await run(fleet, planted: planted) }
            if await fleet.loadedRows() >= want {
                let audit = try await run(fleet, planted: planted)
                // A doubled base-table row never goes away: waiting longer would only delay the verdict.
                if audit.isClean || audit.baseDuplicates > 0 { return audit }
            }
            try await Task.sleep(for: .seconds(1))
        }
    }

    /// What the poller starts from for an object: the catalog's defaults, or for an object the catalog
    /// does not know (a custom one) a top-level object keyed by RECORDNO whose fields `lookup` supplies.
    static func definition(of object: String) -> IntacctObject {
        ObjectCatalog.standard.definition(of: object)
    }

    /// An object the catalog knows without WHENMODIFIED is read as snapshots: its rows carry no source
    /// time. (An object left to discovery has no fields yet, so nothing is known about it either way.)
    static func readsSnapshots(_ object: String) -> Bool {
        let definition = definition(of: object)
        return !definition.awaitsDiscovery && definition.readsSnapshots
    }

    /// The entities an object's streams read: `top`, or every subsidiary.
    static func entities(of object: String) -> [String] {
        definition(of: object).level == .top ? ["top"] : ["E100", "E200", "E300"]
    }

    /// Every live record of the polled objects: "ENTITY/OBJECT/RECORDNO" → WHENMODIFIED.
    static func expectedRecords(_ sandbox: SandboxServer) throws -> [String: String] {
        var records: [String: String] = [:]
        for object in Fleet.objects {
            for entity in entities(of: object) {
                for record in try sandbox.records(object: object, entity: entity) where !record.deleted {
                    records["\(entity)/\(object)/\(record.recordno)"] = record.whenmodified
                }
            }
        }
        return records
    }

    /// Pages a clean backfill of every stream reads: one per `pageSize` records, plus the last (short
    /// or empty) one.
    static func expectedPages(_ sandbox: SandboxServer, pageSize: Int) throws -> Int {
        var pages = 0
        for object in Fleet.objects {
            for entity in entities(of: object) {
                pages += try sandbox.records(object: object, entity: entity).count(where: { !$0.deleted }) / pageSize + 1
            }
        }
        return pages
    }

    static func run(_ fleet: Fleet, planted: Set<String>) async throws -> WarehouseAudit {
        var audit = WarehouseAudit()
        let client = try fleet.warehouse()
        let sandboxRecords = try expectedRecords(fleet.sandbox)
        let prefix = Fleet.company + "/"

        // Dead letters first: planted ones leave the expected set only if they really were set aside.
        let letters = try await DeadLetterTopic.read(bootstrap: fleet.bootstrap, company: Fleet.company)
        audit.deadLetterMessages = letters.count
        audit.deadLetterKeys = Set(letters.map(\.key))
        var expected = sandboxRecords
        for key in planted {
            expected[String(key.dropFirst(prefix.count))] = nil
            if !audit.deadLetterKeys.contains(key) { audit.plantedNotDeadLettered.append(key) }
        }
        audit.expected = expected.count

        let revisedSnapshots = await fleet.revisedSnapshots
        var seen: [String: Int] = [:]
        for object in Fleet.objects {
            let snapshot = readsSnapshots(object)
            let view = client.qualified(object.lowercased() + "_current")
            let sql = "SELECT _key AS k, _entity AS e, \(definition(of: object).keyField.lowercased()) AS r, "
                + "_source_modified_at AS m, _extracted_at AS x FROM \(view)"
            let result: QueryResult
            do { result = try await client.query(sql) } catch let error as BigQueryError where error.isNotFound {
                continue  // never loaded: every record of it counts as missing below
            }
            for row in result.rows {
                audit.loaded += 1
                let entity = row["e"].string ?? "?"
                let recordno: String
                switch row["r"] {
                case let .int64(value): recordno = String(value)
                case let .string(value): recordno = value
                default: recordno = "?"
                }
                let id = "\(entity)/\(object)/\(recordno)"
                seen[id, default: 0] += 1
                if row["k"].string != prefix + id {
                    audit.unexpected += 1
                    audit.note("malformed _key \(row["k"].string ?? "null") for \(id)")
                    continue
                }
                guard let whenModified = expected[id] else {
                    if !planted.contains(prefix + id) {
                        audit.unexpected += 1
                        audit.note("unexpected \(id)")
                    }
                    continue
                }
                if snapshot {
                    // No source time to compare: a revised record is current only if read after the revision.
                    guard let revisedAt = revisedSnapshots[id] else { continue }
                    if case let .timestamp(micros) = row["x"], micros / 1_000_000 >= revisedAt { continue }
                    audit.stale += 1
                    audit.note("stale \(id): the current row was extracted before its revision")
                } else if case let .timestamp(micros) = row["m"], let date = IntacctTimestamp.parse(whenModified),
                   micros / 1_000_000 == Int64(date.timeIntervalSince1970) {
                } else {
                    audit.stale += 1
                    audit.note("stale \(id): want \(whenModified)")
                }
            }
        }
        audit.duplicates = seen.values.filter { $0 > 1 }.count
        for (id, count) in seen where count > 1 { audit.note("\(count) rows for \(id)") }
        for id in expected.keys.sorted() where seen[id] == nil {
            audit.missing += 1
            audit.note("missing \(id)")
        }
        for key in planted where seen[String(key.dropFirst(prefix.count))] != nil {
            audit.note("\(key) was meant to be rejected but was loaded")
            audit.unexpected += 1
        }

        audit.moneyDifferences = try await moneyDifferences(client: client, sandbox: fleet.sandbox, letters: letters, planted: planted)
        audit.baseTables = try await BaseTableCount.read(from: client, objects: Fleet.objects)
        return audit
    }

    /// Count and money per entity and object in `_current`, plus the money of the planted dead letters,
    /// against the sandbox's totals: nothing may vanish, and nothing may count twice.
    static func moneyDifferences(client: BigQueryClient, sandbox: SandboxServer, letters: [DeadLetterTopic.Letter],
                                 planted: Set<String>) async throws -> [String] {
        let totals = sandbox.totals()
        let warehouse = try await WarehouseTotals.read(from: client)
        // The money a planted dead letter carries: its value without the text that made it untypeable.
        var setAside: [String: (count: Int, amount: Decimal)] = [:]
        for letter in letters where planted.contains(letter.key) {
            let parts = letter.key.split(separator: "/").map(String.init)
            guard parts.count == 4 else { continue }
            let slot = "\(parts[1])/\(parts[2])"
            guard setAside[slot + "/" + parts[3]] == nil else { continue }  // one record, however many letters
            setAside[slot + "/" + parts[3]] = (1, 0)
            let catalog = ObjectCatalog.standard.objects.first { $0.name == parts[2] }
            let amount = (letter.field == catalog?.amountField || (parts[2] == "GLENTRY" && letter.field == "AMOUNT"))
                ? Decimal(string: String(letter.value?.prefix { "0123456789.-".contains($0) } ?? "")) ?? 0 : 0
            var sum = setAside[slot] ?? (0, 0)
            sum.count += 1
            sum.amount += amount
            setAside[slot] = sum
        }
        var differences: [String] = []
        for (entity, objects) in totals {
            // The warehouse side sums what the catalog knows; an object outside it (a custom one) is
            // counted by the per-key audit alone.
            for (object, want) in objects where Fleet.objects.contains(object) && ObjectCatalog.standard[object] != nil {
                let have = warehouse.objects[entity]?[object]
                let aside = setAside["\(entity)/\(object)"] ?? (0, 0)
                let count = (have?.count ?? 0) + aside.count
                let amount = (have?.amount ?? 0) + aside.amount
                let wantAmount = Decimal(string: want.amount) ?? 0
                if count != want.count || amount != wantAmount {
                    differences.append("\(entity)/\(object): \(count) rows, \(amount) vs sandbox \(want.count), \(wantAmount)")
                }
                if object == "APBILL", let open = want.open.flatMap({ Decimal(string: $0) }), (have?.open ?? 0) != open {
                    differences.append("\(entity)/APBILL open \(have?.open ?? 0) vs sandbox \(open)")
                }
                // The AR check `reconcile` makes: invoices, entered and open per subsidiary.
                if object == "ARINVOICE", let open = want.open.flatMap({ Decimal(string: $0) }) {
                    let ar = warehouse.receivables[entity]
                    if (ar?.count ?? 0) != want.count || (ar?.entered ?? 0) != wantAmount || (ar?.open ?? 0) != open {
                        differences.append("\(entity)/ARINVOICE AR \(ar?.count ?? 0) invoices, \(ar?.entered ?? 0) entered, "
                                           + "\(ar?.open ?? 0) open vs sandbox \(want.count), \(wantAmount), \(open)")
                    }
                }
            }
        }
        return differences.sorted()
    }

    private mutating func note(_ text: String) {
        if examples.count < 8 { examples.append(text) }
    }
}
