/// One balance report for one period: `<get_trialbalance>` or `<get_accountbalances>` with its start
/// and end dates written as `<year>`, `<month>` and `<day>` children, as the legacy functions take them.
public struct BalanceQuery: Sendable, Equatable {
    public var kind: BalanceKind
    public var period: BalancePeriod

    public init(kind: BalanceKind, period: BalancePeriod) {
        self.kind = kind
        self.period = period
    }

    public func write(into writer: inout XMLWriter) {
        writer.element(kind.functionName) { writer in
            for (name, date) in [("startdate", period.start), ("enddate", period.end)] {
                writer.element(name) { writer in
                    writer.element("year", String(date.year))
                    writer.element("month", String(date.month))
                    writer.element("day", String(date.day))
                }
            }
        }
    }
}
