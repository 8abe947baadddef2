import Foundation
import Catalog

/// The figures a controller checks in the warehouse, read from the `_current` views (latest live version
/// of every record): row counts and money per subsidiary and object, AP open balances, GL debits and
/// credits per cost center and account category, the trial balance computed from GLENTRY next to
/// Intacct's own, and AR invoice totals and open balances.
public struct WarehouseTotals: Sendable {
    /// Count and money of one object in one entity.
    public struct ObjectTotal: Sendable, Equatable {
        public var count: Int
        /// The object's money: GLENTRY debits, GLDETAIL DEBITAMOUNT, APBILL TOTALENTERED, APPYMT AMOUNT,
        /// PROJECT BUDGETAMOUNT; zero for objects without money.
        public var amount: Decimal
        /// APBILL: the open balance, sum of TOTALDUE.
        public var open: Decimal?
    }

    /// GL debits and credits of one entity for one cost center and account category.
    public struct GLBalance: Sendable, Equatable, Hashable {
        public var entity: String
        public var costCenter: String
        public var category: String
        public var debits: Decimal
        public var credits: Decimal
    }

    /// entity → object → total; a table that does not exist yet counts as empty.
    public var objects: [String: [String: ObjectTotal]]
    public var glBalances: [GLBalance]
    /// Per entity, period and account; empty when no trial balance was loaded.
    public var trialBalance: [TrialBalanceLine]
    /// entity → AR invoices; empty when none were loaded.
    public var receivables: [String: ReceivablesTotal]

    public init(objects: [String: [String: ObjectTotal]] = [:], glBalances: [GLBalance] = [], trialBalance: [TrialBalanceLine] = [],
                receivables: [String: ReceivablesTotal] = [:]) {
        self.objects = objects
        self.glBalances = glBalances
        self.trialBalance = trialBalance
        self.receivables = receivables
    }

    /// Reads every figure with one query per object plus one each for the GL roll-up, the trial balance
    /// and AR.
    public static func read(from client: BigQueryClient, catalog: ObjectCatalog = .standard) async throws -> WarehouseTotals {
        var objects: [String: [String: ObjectTotal]] = [:]
        for object in catalog.objects where object.name != "LOCATIONENTITY" {
            let view = client.qualified(object.name.lowercased() + "_current")
            let sql = "SELECT _entity AS entity, COUNT(*) AS n, \(amountExpression(object)) AS amount, "
                + "\(object.name == "APBILL" ? "SUM(totaldue)" : "NULL") AS open FROM \(view) GROUP BY _entity"
            let result: QueryResult
            do { result = try await client.query(sql) } catch let error as BigQueryError where error.isNotFound {
                continue  // not loaded yet
            }
            for row in result.rows {
                let entity = row["entity"].string ?? "?"
                objects[entity, default: [:]][object.name] = ObjectTotal(
                    count: Int(row["n"].int64 ?? 0), amount: row["amount"].decimal ?? 0, open: row["open"].decimal)
            }
        }
        return WarehouseTotals(objects: objects, glBalances: try await readGLBalances(from: client),
                               trialBalance: try await TrialBalanceLine.read(from: client),
                               receivables: try await ReceivablesTotal.read(from: client))
    }

    /// Money per object, as the sandbox and a controller define it.
    static func amountExpression(_ object: IntacctObject) -> String {
        switch object.name {
        case "GLENTRY": "SUM(IF(tr_type = 1, amount, 0))"
        default: object.amountField.map { "SUM(\($0.lowercased()))" } ?? "0"
        }
    }

    /// GL lines rolled up to the cost center (the department directly under the root of the department
    /// hierarchy) and the account's category. Self-joins cover hierarchies up to five levels deep, which
    /// keeps the SQL portable to the emulator; deeper trees land on their fourth-level ancestor.
    static func readGLBalances(from client: BigQueryClient) async throws -> [GLBalance] {
        let sql = """
        WITH d AS (SELECT departmentid AS id, parentid AS parent FROM \(client.qualified("department_current"))),
        cc AS (
          SELECT d0.id,
            CASE WHEN d1.id IS NULL OR d2.id IS NULL THEN d0.id
                 WHEN d3.id IS NULL THEN d1.id
                 WHEN d4.id IS NULL THEN d2.id
                 ELSE d3.id END AS cost_center
          FROM d d0 LEFT JOIN d d1 ON d1.id = d0.parent LEFT JOIN d d2 ON d2.id = d1.parent
          LEFT JOIN d d3 ON d3.id = d2.parent LEFT JOIN d d4 ON d4.id = d3.parent)
        SELECT g._entity AS entity, COALESCE(cc.cost_center, g.departmentid) AS cost_center,
               COALESCE(a.category, '') AS category,
               SUM(IF(g.tr_type = 1, g.amount, 0)) AS debits, SUM(IF(g.tr_type = -1, g.amount, 0)) AS credits
        FROM \(client.qualified("glentry_current")) g
        LEFT JOIN cc ON cc.id = g.departmentid
        LEFT JOIN \(client.qualified("glaccount_current")) a ON a.accountno = g.accountno
        GROUP BY 1, 2, 3
        ORDER BY 1, 2, 3
        """
        let result: QueryResult
        do { result = try await client.query(sql) } catch let error as BigQueryError where error.isNotFound {
            return []
        }
        return result.rows.map { row in
            GLBalance(entity: row["entity"].string ?? "?", costCenter: row["cost_center"].string ?? "",
                      category: row["category"].string ?? "", debits: row["debits"].decimal ?? 0, credits: row["credits"].decimal ?? 0)
        }
    }
}
