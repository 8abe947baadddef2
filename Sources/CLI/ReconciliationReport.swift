import Foundation
import Loader
import Sandbox
import Catalog

/// The reconciliation as a controller reads it: five tables, every line marked equal or not.
struct ReconciliationReport {
    let expected: SandboxTotals
    let expectedGL: [SandboxGLBalance]
    /// The sandbox's ARINVOICE totals per entity (`amount` = TOTALENTERED, `open` = TOTALDUE).
    let expectedAR: [String: SandboxObjectTotal]
    let actual: WarehouseTotals
    private(set) var allEqual = true
    private var lines: [String] = []
    /// The current section's rows, laid out when the next section starts (widths follow the content).
    private var table: [[String]] = []
    /// Leading columns that hold names (left-aligned); the rest are figures (right-aligned).
    private var textColumns = 0

    init(expected: SandboxTotals, expectedGL: [SandboxGLBalance], expectedAR: [String: SandboxObjectTotal] = [:], actual: WarehouseTotals) {
        self.expected = expected
        self.expectedGL = expectedGL
        self.expectedAR = expectedAR
        self.actual = actual
        build()
    }

    func rendered() -> String { lines.joined(separator: "\n") }

    private mutating func build() {
        let entities = expected.keys.sorted { ($0 == "top" ? "" : $0) < ($1 == "top" ? "" : $1) }

        section("Rows and money per subsidiary and object (BigQuery _current views vs the sandbox)", textColumns: 2)
        row(["entity", "object", "rows", "sandbox", "amount", "sandbox", ""])
        for entity in entities {
            for object in ObjectCatalog.standard.objects.map(\.name) where object != "LOCATIONENTITY" {
                guard let want = expected[entity]?[object] else { continue }
                let have = actual.objects[entity]?[object]
                let wantAmount = Decimal(string: want.amount) ?? 0
                let equal = have?.count == want.count && (have?.amount ?? 0) == wantAmount
                row([entity, object, "\(have?.count ?? 0)", "\(want.count)", money(have?.amount ?? 0), money(wantAmount), mark(equal)])
            }
        }

        section("AP bills per subsidiary: totals and open balances", textColumns: 1)
        row(["entity", "bills", "sandbox", "entered", "sandbox", "open", "sandbox", ""])
        for entity in entities where entity != "top" {
            guard let want = expected[entity]?["APBILL"] else { continue }
            let have = actual.objects[entity]?["APBILL"]
            let entered = Decimal(string: want.amount) ?? 0, open = Decimal(string: want.open ?? "0") ?? 0
            let equal = have?.count == want.count && have?.amount == entered && (have?.open ?? 0) == open
            row([entity, "\(have?.count ?? 0)", "\(want.count)", money(have?.amount ?? 0), money(entered),
                 money(have?.open ?? 0), money(open), mark(equal)])
        }

        section("GL balances per cost center and account category", textColumns: 3)
        row(["entity", "cost center", "category", "debits", "sandbox", "credits", "sandbox", ""])
        let warehouse = Dictionary(actual.glBalances.map { ("\($0.entity)|\($0.costCenter)|\($0.category)", $0) }) { a, _ in a }
        var seen = Set<String>()
        if expectedGL.isEmpty { lines.append("(GLENTRY, GLACCOUNT and DEPARTMENT are not all polled: nothing to roll up)") }
        for want in expectedGL {
            let key = "\(want.entity)|\(want.costCenter)|\(want.category)"
            seen.insert(key)
            let have = warehouse[key]
            let debits = Decimal(string: want.debits) ?? 0, credits = Decimal(string: want.credits) ?? 0
            let equal = have?.debits == debits && have?.credits == credits
            row([want.entity, want.costCenter, want.category, money(have?.debits ?? 0), money(debits),
                 money(have?.credits ?? 0), money(credits), mark(equal)])
        }
        for extra in actual.glBalances where !expectedGL.isEmpty && !seen.contains("\(extra.entity)|\(extra.costCenter)|\(extra.category)") {
            row([extra.entity, extra.costCenter, extra.category, money(extra.debits), "-", money(extra.credits), "-", mark(false)])
        }
        trialBalanceSection()
        receivablesSection(entities: entities)
        flushTable()
        lines.append("")
        lines.append(allEqual ? "RECONCILED: every line equal." : "NOT RECONCILED: lines marked DIFFERENT need attention.")
    }

    /// GLENTRY summed in BigQuery per entity, period and account against Intacct's own trial balance.
    private mutating func trialBalanceSection() {
        section("Trial balance per entity and account: GLENTRY in BigQuery vs Intacct's get_trialbalance", textColumns: 3)
        guard !actual.trialBalance.isEmpty else {
            flushTable()
            lines.append("(no trial balance in BigQuery: add a `balances:` section to the poller's configuration)")
            return
        }
        row(["entity", "period", "account", "debits", "Intacct", "credits", "Intacct", ""])
        for line in actual.trialBalance {
            row([line.entity, line.period, line.account, optionalMoney(line.warehouseDebits), optionalMoney(line.intacctDebits),
                 optionalMoney(line.warehouseCredits), optionalMoney(line.intacctCredits), mark(line.isEqual)])
        }
    }

    /// AR invoices per subsidiary, when the sandbox reports them: count, entered total and open balance.
    private mutating func receivablesSection(entities: [String]) {
        section("AR invoices per subsidiary: totals and open balances", textColumns: 1)
        let subsidiaries = entities.filter { $0 != "top" && expectedAR[$0] != nil }
        guard !subsidiaries.isEmpty else {
            flushTable()
            lines.append("(ARINVOICE is not polled, or the sandbox reports no AR invoices: nothing to compare)")
            return
        }
        row(["entity", "invoices", "sandbox", "entered", "sandbox", "open", "sandbox", ""])
        for entity in subsidiaries {
            guard let want = expectedAR[entity] else { continue }
            let have = actual.receivables[entity]
            let entered = Decimal(string: want.amount) ?? 0, open = Decimal(string: want.open ?? "0") ?? 0
            let equal = (have?.count ?? 0) == want.count && (have?.entered ?? 0) == entered && (have?.open ?? 0) == open
            row([entity, "\(have?.count ?? 0)", "\(want.count)", money(have?.entered ?? 0), money(entered),
                 money(have?.open ?? 0), money(open), mark(equal)])
        }
    }

    private func optionalMoney(_ value: Decimal?) -> String { value.map(money) ?? "-" }

    private mutating func section(_ title: String, textColumns: Int) {
        flushTable()
        lines.append("")
        lines.append(title)
        self.textColumns = textColumns
    }

    private mutating func row(_ cells: [String]) { table.append(cells) }

    private mutating func flushTable() {
        let columns = table.map(\.count).max() ?? 0
        let widths = (0..<columns).map { column in table.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
        for cells in table {
            lines.append(cells.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return column < textColumns ? cell + pad : pad + cell
            }.joined(separator: "  "))
        }
        table = []
    }

    private mutating func mark(_ equal: Bool) -> String {
        if !equal { allEqual = false }
        return equal ? "equal" : "DIFFERENT"
    }

    private func money(_ value: Decimal) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.minimumFractionDigits = 2
        formatter.maximumFractionDigits = 2
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.usesGroupingSeparator = true
        formatter.groupingSeparator = ","
        return formatter.string(from: value as NSDecimalNumber) ?? "\(value)"
    }
}
