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

    /// Per entity; empty while no AR invoice was loaded.
    public static func read(from client: BigQueryClient) async throws -> [String: ReceivablesTotal] {
        guard try await client.table("arinvoice_current") != nil else { return [:] }
        let sql = "SELECT _entity AS entity, COUNT(*) AS n, SUM(totalentered) AS entered, SUM(totaldue) AS open "
            + "FROM \(client.qualified("arinvoice_current")) GROUP BY _entity"
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
