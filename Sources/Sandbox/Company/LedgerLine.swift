/// One GLENTRY line as the balance functions see it.
struct LedgerLine: Sendable {
    var account: Int
    var department: Int
    var debit: Bool
    /// Cents, positive; `debit` says which side.
    var amount: Int64
    /// ENTRY_DATE as days since the Unix epoch.
    var day: Int64
    /// Posted by the adjusting journal (ADJ): reported as adjustments, not as debits and credits.
    var adjusting: Bool
}
