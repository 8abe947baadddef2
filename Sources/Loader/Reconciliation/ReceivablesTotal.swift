import Foundation

/// AR invoices of one subsidiary as BigQuery holds them (`arinvoice_current`): how many, their entered
/// total and their open balance (TOTALDUE), for the reconciliation's AR check.
public struct ReceivablesTotal: Sendable, Equatable {
    public var count: Int
    public var entered: Decimal
    public var open: Decimal

    public init(count: Int, entered: Decimal, open: Decimal) {
        self.count = count
        self.entered = entered
        self.open = open
    }

    /// Per entity; empty while no AR invoice was loaded. The entity is the record's own MEGAENTITYID where
    /// it has one: an object read at the top level (AR is, unless a mapping file says otherwise) lands
    /// under `top`, each row naming the subsidiary it belongs to.
    public static func read(from client: BigQueryClient) async throws -> [String: ReceivablesTotal] {
        guard try await client.table("arinvoice_current") != nil else { return [:] }
        let hasOwner = try await client.table("arinvoice")?.schema.column(named: "megaentityid") != nil
        let entity = hasOwner ? "COALESCE(NULLIF(megaentityid, ''), _entity)" : "_entity"
        let sql = "SELECT \(entity) AS entity, COUNT(*) AS n, SUM(totalentered) AS entered, SUM(totaldue) AS open "
            + "FROM \(client.qualified("arinvoice_current")) GROUP BY 1"
        let result: QueryResult
        do { result = try await client.query(sql) } catch let error as BigQueryError where error.isNotFound {
            return [:]
        }
        var totals: [String: ReceivablesTotal] = [:]
        for row in result.rows {
            totals[row["entity"].string ?? "?"] = ReceivablesTotal(
                count: Int(row["n"].int64 ?? 0), entered: row["entered"].decimal ?? 0, open: row["open"].decimal ?? 0)
        }
        return totals
    }
}
