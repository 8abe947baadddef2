/// Intacct's own balances, moved as objects of their own so they load like any other: one table per
/// balance kind. Intacct has no record for a balance line, so the poller makes the key (period, account
/// and the dimensions of the line); the legacy functions carry no WHENMODIFIED, so every run is a
/// snapshot of its periods and the newest extraction of a key is its current version.
public enum BalanceObjects {
    /// What `get_trialbalance` and `get_accountbalances` answer per line (the reference's field list,
    /// upper-cased as the other objects' fields are), plus the period the poller asked for.
    static func fields() -> [IntacctObject.Field] {
        [
            .init("RECORDNO", .text), .init("PERIODSTART", .date), .init("PERIODEND", .date), .init("GLACCOUNTNO", .text),
            .init("STARTBALANCE", .decimal), .init("DEBITS", .decimal), .init("CREDITS", .decimal),
            .init("ADJDEBITS", .decimal), .init("ADJCREDITS", .decimal), .init("ENDBALANCE", .decimal),
            .init("REPORTINGBOOK", .text), .init("CURRENCY", .text),
        ] + dimensions.map { .init($0, .text) }
    }

    /// Dimension ids a balance line may be broken down by; a line carries those Intacct reported.
    public static let dimensions = ["DEPARTMENTID", "LOCATIONID", "PROJECTID", "CLASSID", "CUSTOMERID", "VENDORID", "EMPLOYEEID", "ITEMID"]

    /// `get_trialbalance`, per entity and period.
    public static let trialBalance = IntacctObject(name: "TRIALBALANCE", level: .entity, fields: fields(), amountField: "ENDBALANCE")
    /// `get_accountbalances`, per entity and period.
    public static let accountBalance = IntacctObject(name: "ACCOUNTBALANCE", level: .entity, fields: fields(), amountField: "ENDBALANCE")

    public static let all = [trialBalance, accountBalance]
}
