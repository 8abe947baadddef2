import Foundation
import Loader
import Sandbox
import Shared

/// The reconciliation as a controller reads it: three tables, every line marked equal or not.
struct ReconciliationReport {
    let expected: SandboxTotals
    let expectedGL: [SandboxGLBalance]
    let actual: WarehouseTotals
    private(set) var allEqual = true
    private var lines: [String] = []

    init(expected: SandboxTotals, expectedGL: [SandboxGLBalance], actual: WarehouseTotals) {
        self.expected = expected
        self.expectedGL = expectedGL
        self.actual = actual
        build()
    }

    func rendered() -> String { lines.joined(separator: "\n") }

    private mutating func build() {
        let entities = expected.keys.sorted { ($0 == "top" ? "" : $0) < ($1 == "top" ? "" : $1) }

        section("Rows and money per subsidiary and object (BigQuery _current views vs the sandbox)")
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

        section("AP bills per subsidiary: totals and open balances")
        row(["entity", "bills", "sandbox", "entered", "sandbox", "open", "sandbox", ""])
        for entity in entities where entity != "top" {
            guard let want = expected[entity]?["APBILL"] else { continue }
            let have = actual.objects[entity]?["APBILL"]
            let entered = Decimal(string: want.amount) ?? 0, open = Decimal(string: want.open ?? "0") ?? 0
            let equal = have?.count == want.count && have?.amount == entered && (have?.open ?? 0) == open
            row([entity, "\(have?.count ?? 0)", "\(want.count)", money(have?.amount ?? 0), money(entered),
                 money(have?.open ?? 0), money(open), mark(equal)])
        }

        section("GL balances per cost center and account category")
        row(["entity", "cost center", "category", "debits", "sandbox", "credits", "sandbox", ""])
        let warehouse = Dictionary(actual.glBalances.map { ("\($0.entity)|\($0.costCenter)|\($0.category)", $0) }) { a, _ in a }
        var seen = Set<String>()
        for want in expectedGL {
            let key = "\(want.entity)|\(want.costCenter)|\(want.category)"
            seen.insert(key)
            let have = warehouse[key]
            let debits = Decimal(string: want.debits) ?? 0, credits = Decimal(string: want.credits) ?? 0
            let equal = have?.debits == debits && have?.credits == credits
            row([want.entity, want.costCenter, want.category, money(have?.debits ?? 0), money(debits),
                 money(have?.credits ?? 0), money(credits), mark(equal)])
        }
        for extra in actual.glBalances where !seen.contains("\(extra.entity)|\(extra.costCenter)|\(extra.category)") {
            row([extra.entity, extra.costCenter, extra.category, money(extra.debits), "-", money(extra.credits), "-", mark(false)])
        }
        lines.append("")
        lines.append(allEqual ? "RECONCILED: every line equal." : "NOT RECONCILED: lines marked DIFFERENT need attention.")
    }

    private mutating func section(_ title: String) {
        lines.append("")
        lines.append(title)
    }

    private mutating func row(_ cells: [String]) {
        let widths = [7, 14, 28, 16, 16, 16, 16, 10]
        lines.append(cells.enumerated().map { index, cell in
            let width = widths[min(index, widths.count - 1)]
            return index < 3 ? cell.padding(toLength: max(width, cell.count), withPad: " ", startingAt: 0)
                : String(repeating: " ", count: max(0, width - cell.count)) + cell
        }.joined(separator: " "))
    }

    private mutating func mark(_ equal: Bool) -> String {
        if !equal { allEqual = false }
        return equal ? "  equal" : "  DIFFERENT"
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
