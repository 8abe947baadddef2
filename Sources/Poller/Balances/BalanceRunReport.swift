/// What one balance report of one entity and period came to.
public struct BalanceRunReport: Sendable {
    public var entity: String
    public var kind: BalanceKind
    public var period: BalancePeriod
    /// Lines published (and acknowledged by Kafka): the new ones and those whose figures changed.
    public var records = 0
    /// Lines the report gave exactly as the last run published them, not sent again.
    public var unchanged = 0
    /// Lines without an account, kept in the audit topic instead.
    public var brokenLines = 0
    /// Why the report was not moved; the other reports went on.
    public var failure: StreamRunFailure?

    public var succeeded: Bool { failure == nil }
}
