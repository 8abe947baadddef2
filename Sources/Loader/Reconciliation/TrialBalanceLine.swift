import Foundation

/// One account of one entity and period in the trial-balance check: debits and credits computed in
/// BigQuery from `glentry_current`, next to Intacct's own figures from `trialbalance_current` (what the
/// poller moved from `get_trialbalance`). Either side is nil when it has no line for the account.
public struct TrialBalanceLine: Sendable, Equatable {
    public var entity: String
    /// `YYYY-MM-DD..YYYY-MM-DD`, the period Intacct computed.
    public var period: String
    public var account: String
    public var warehouseDebits: Decimal?
    public var warehouseCredits: Decimal?
    public var intacctDebits: Decimal?
    public var intacctCredits: Decimal?

    public init(entity: String, period: String, account: String, warehouseDebits: Decimal?, warehouseCredits: Decimal?,
                intacctDebits: Decimal?, intacctCredits: Decimal?) {
        self.entity = entity
        self.period = period
        self.account = account
        self.warehouseDebits = warehouseDebits
        self.warehouseCredits = warehouseCredits
        self.intacctDebits = intacctDebits
        self.intacctCredits = intacctCredits
    }

    /// Equal to the cent on both sides. An account missing on one side counts as zero there: an account
    /// Intacct lists with no activity matches no GL lines, but GL activity Intacct does not list does not.
    public var isEqual: Bool {
        Self.cents(warehouseDebits ?? 0) == Self.cents(intacctDebits ?? 0) && Self.cents(warehouseCredits ?? 0) == Self.cents(intacctCredits ?? 0)
    }

    static func cents(_ value: Decimal) -> Decimal {
        var value = value * 100, rounded = Decimal()
        NSDecimalRound(&rounded, &value, 0, .plain)
        return rounded
    }

    /// Intacct's trial balance lines (summed per account over the books, currencies and dimensions a line
    /// may be broken down by; adjusting debits and credits included) against GL lines of the same entity
    /// whose ENTRY_DATE falls in the line's period, account by account. Empty when no trial balance was
    /// loaded (the poller's `balances:` is not configured) or GLENTRY is not loaded.
    public static func read(from client: BigQueryClient) async throws -> [TrialBalanceLine] {
        // Asked first: the emulator answers a join over a missing view with accessDenied, not notFound.
        for view in ["trialbalance_current", "glentry_current"] where try await client.table(view) == nil { return [] }
        let sql = """
        WITH tb AS (
          SELECT _entity AS entity, periodstart AS ps, periodend AS pe, glaccountno AS account,
                 SUM(COALESCE(debits, 0) + COALESCE(adjdebits, 0)) AS debits,
                 SUM(COALESCE(credits, 0) + COALESCE(adjcredits, 0)) AS credits
          FROM \(client.qualified("trialbalance_current")) GROUP BY 1, 2, 3, 4),
        periods AS (SELECT DISTINCT entity, ps, pe FROM tb),
        gl AS (
          SELECT p.entity, p.ps, p.pe, g.accountno AS account,
                 SUM(IF(g.tr_type = 1, g.amount, 0)) AS debits, SUM(IF(g.tr_type = -1, g.amount, 0)) AS credits
          FROM periods p JOIN \(client.qualified("glentry_current")) g
            ON g._entity = p.entity AND g.entry_date >= p.ps AND g.entry_date <= p.pe
          GROUP BY 1, 2, 3, 4)
        SELECT COALESCE(tb.entity, gl.entity) AS entity, CAST(COALESCE(tb.ps, gl.ps) AS STRING) AS ps,
               CAST(COALESCE(tb.pe, gl.pe) AS STRING) AS pe, COALESCE(tb.account, gl.account) AS account,
               tb.debits AS intacct_debits, tb.credits AS intacct_credits, gl.debits AS warehouse_debits, gl.credits AS warehouse_credits
        FROM tb FULL OUTER JOIN gl ON tb.entity = gl.entity AND tb.ps = gl.ps AND tb.pe = gl.pe AND tb.account = gl.account
        ORDER BY 1, 2, 3, 4
        """
        let result: QueryResult
        do { result = try await client.query(sql) } catch let error as BigQueryError where error.isNotFound {
            return []
        }
        return result.rows.map { row in
            TrialBalanceLine(
                entity: row["entity"].string ?? "?", period: (row["ps"].string ?? "?") + ".." + (row["pe"].string ?? "?"),
                account: row["account"].string ?? "", warehouseDebits: row["warehouse_debits"].decimal,
                warehouseCredits: row["warehouse_credits"].decimal, intacctDebits: row["intacct_debits"].decimal,
                intacctCredits: row["intacct_credits"].decimal)
        }
    }
}
