import Foundation
import Sandbox
import XCTest

/// `get_accountbalances` and `get_trialbalance` answer from the same journal lines GLENTRY serves.
final class BalanceFunctionTests: XCTestCase {
    var sandbox: SandboxHarness!

    override func setUp() async throws { sandbox = try await SandboxHarness(scale: 6_000) }
    override func tearDown() async throws { await sandbox.stop() }

    func cents(_ text: String?) -> Int {
        let negative = (text ?? "").hasPrefix("-")
        let parts = (text ?? "").replacingOccurrences(of: "-", with: "").split(separator: ".")
        let value = Int(parts[0])! * 100 + (parts.count > 1 ? Int(parts[1])! : 0)
        return negative ? -value : value
    }

    func balances(_ function: String, session: String, extra: String = "") async throws -> [[String: String]] {
        let body = "<\(function)><startdate><year>2025</year><month>12</month><day>1</day></startdate>"
            + "<enddate><year>2026</year><month>1</month><day>15</day></enddate>\(extra)</\(function)>"
        let root = try await sandbox.postXML(SandboxHarness.envelope(auth: "<sessionid>\(session)</sessionid>", functions: SandboxHarness.function(body)))
        XCTAssertEqual(root.text("operation/result/status"), "success", root.xmlString)
        return root.element("operation/result/data")?.rows ?? []
    }

    /// Day number of `MM/DD/YYYY`, enough to order dates.
    func day(_ date: String) -> Int {
        let p = date.split(separator: "/").map { Int($0)! }
        return p[2] * 400 + p[0] * 32 + p[1]
    }

    func testTheTrialBalanceEqualsWhatGLEntryLinesAddUpTo() async throws {
        _ = try sandbox.server.mutate(object: "GLENTRY", entity: "E100", modify: 3, delete: 2)
        let e100 = try await sandbox.session(entity: "E100")
        let journals = Dictionary(uniqueKeysWithValues: try await sandbox.queryAll(session: e100, object: "GLBATCH", fields: ["RECORDNO", "JOURNAL"])
            .map { ($0["RECORDNO"]!, $0["JOURNAL"]!) })
        let lines = try await sandbox.queryAll(session: e100, object: "GLENTRY", fields: ["BATCHKEY", "ACCOUNTNO", "TR_TYPE", "AMOUNT", "ENTRY_DATE"])
        let first = day("12/01/2025"), last = day("01/15/2026")
        var expected: [String: [Int]] = [:]
        for line in lines where day(line["ENTRY_DATE"]!) <= last {
            var sums = expected[line["ACCOUNTNO"]!] ?? [0, 0, 0, 0, 0]
            let amount = cents(line["AMOUNT"]), debit = line["TR_TYPE"] == "1"
            if day(line["ENTRY_DATE"]!) < first {
                sums[0] += debit ? amount : -amount
            } else {
                sums[(journals[line["BATCHKEY"]!] == "ADJ" ? 3 : 1) + (debit ? 0 : 1)] += amount
            }
            expected[line["ACCOUNTNO"]!] = sums
        }
        let rows = try await balances("get_trialbalance", session: e100)
        XCTAssertEqual(Set(rows.map { $0["glaccountno"]! }), Set(expected.keys))
        for row in rows {
            let want = expected[row["glaccountno"]!]!
            let have = ["startbalance", "debits", "credits", "adjdebits", "adjcredits"].map { cents(row[$0]) }
            XCTAssertEqual(have, want, row["glaccountno"]!)
            XCTAssertEqual(cents(row["endbalance"]), want[0] + want[1] - want[2] + want[3] - want[4])
            XCTAssertEqual(row["locationid"], "E100")
            XCTAssertEqual(row["currency"], "USD")
            XCTAssertEqual(row["reportingbook"], "ACCRUAL")
        }
        XCTAssertTrue(rows.contains { cents($0["adjdebits"]) > 0 }, "the adjusting journal shows up as adjustments")
    }

    func testAccountBalancesAtTheTopLevelCoverEveryEntityAndEachLedgerBalances() async throws {
        let top = try await sandbox.session()
        let rows = try await balances("get_accountbalances", session: top)
        XCTAssertEqual(Set(rows.map { $0["locationid"]! }), ["E100", "E200", "E300"])
        for entity in ["E100", "E200", "E300"] {
            XCTAssertEqual(rows.filter { $0["locationid"] == entity }.reduce(0) { $0 + cents($1["endbalance"]) }, 0,
                           "\(entity): debits and credits of every batch cancel out")
        }
        let admin = try sandbox.server.trialBalance(start: "12/01/2025", end: "01/15/2026")
        XCTAssertEqual(admin.map { [$0.entity, $0.account, $0.startBalance, $0.debits, $0.credits, $0.endBalance] },
                       rows.map { [$0["locationid"]!, $0["glaccountno"]!, $0["startbalance"]!, $0["debits"]!, $0["credits"]!, $0["endbalance"]!] })
        let one = try await balances("get_accountbalances", session: top, extra: "<locationid>E200</locationid><glaccountno>2000</glaccountno>")
        XCTAssertEqual(one.map { [$0["locationid"]!, $0["glaccountno"]!] }, [["E200", "2000"]])

        let response = try await sandbox.admin("GET", "/admin/totals/trialbalance?start=12/01/2025&end=01/15/2026")
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(try JSONDecoder().decode([SandboxTrialBalanceLine].self, from: response.body), admin)
    }

    func testAMissingDateOrAnUnknownBookFailsTheFunctionWithAnIntacctError() async throws {
        let top = try await sandbox.session()
        for body in ["<get_trialbalance><enddate><year>2026</year><month>1</month><day>1</day></enddate></get_trialbalance>",
                     "<get_trialbalance><startdate><year>2026</year><month>1</month><day>1</day></startdate><enddate><year>2026</year><month>1</month><day>2</day></enddate><reportingbook>CASH</reportingbook></get_trialbalance>"] {
            let root = try await sandbox.postXML(SandboxHarness.envelope(auth: "<sessionid>\(top)</sessionid>", functions: SandboxHarness.function(body)))
            XCTAssertEqual(root.text("operation/result/status"), "failure")
            XCTAssertEqual(root.errorNumbers("operation/result/errormessage"), ["DL02000001"])
        }
    }
}
