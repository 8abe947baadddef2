import Foundation
import Sandbox
import XCTest

final class GLBalancesTests: XCTestCase {
    private func cents(_ text: String) -> Int64 {
        let parts = text.split(separator: ".")
        return Int64(parts[0])! * 100 + (parts.count > 1 ? Int64(parts[1])! : 0)
    }

    func testBalancesByCostCenterAndCategoryAddUpToTheEntityTotalsBeforeAndAfterChanges() async throws {
        let sandbox = try await SandboxHarness(scale: 8_000)
        try await assertBalancesMatchTotals(sandbox.server)
        _ = try sandbox.server.mutate(object: "GLENTRY", entity: "E200", modify: 3, delete: 2)
        try await assertBalancesMatchTotals(sandbox.server)
        await sandbox.stop()
    }

    private func assertBalancesMatchTotals(_ server: SandboxServer) async throws {
        let balances = server.glBalances()
        let totals = server.totals()
        XCTAssertEqual(Set(balances.map(\.costCenter)), ["D100", "D200", "D300", "D400"],
                       "lines roll up to the departments directly under the root")
        XCTAssertFalse(balances.contains { $0.category.isEmpty }, "every line's account has a category")
        for entity in ["E100", "E200", "E300"] {
            let rows = balances.filter { $0.entity == entity }
            let debits = rows.reduce(Int64(0)) { $0 + cents($1.debits) }
            let credits = rows.reduce(Int64(0)) { $0 + cents($1.credits) }
            XCTAssertEqual(debits, cents(totals[entity]!["GLENTRY"]!.debits!), entity)
            XCTAssertEqual(credits, cents(totals[entity]!["GLENTRY"]!.credits!), entity)
            XCTAssertEqual(debits, credits, "\(entity): the ledger balances")
        }
    }
}
