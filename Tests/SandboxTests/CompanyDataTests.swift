import Foundation
import Sandbox
import XCTest

final class CompanyDataTests: XCTestCase {
    var sandbox: SandboxHarness!

    override func setUp() async throws { sandbox = try await SandboxHarness(scale: 8_000) }
    override func tearDown() async throws { await sandbox.stop() }

    func cents(_ text: String?) -> Int {
        let parts = (text ?? "").split(separator: ".")
        return Int(parts[0])! * 100 + (parts.count > 1 ? Int(parts[1])! : 0)
    }

    /// The contract's invariants, checked on rows served over the gateway and on the admin totals.
    func assertInvariants(file: StaticString = #filePath, line: UInt = #line) async throws {
        let top = try await sandbox.session()
        let accounts = Set(try await sandbox.queryAll(session: top, object: "GLACCOUNT", fields: ["ACCOUNTNO"]).map { $0["ACCOUNTNO"]! })
        let departments = try await sandbox.queryAll(session: top, object: "DEPARTMENT", fields: ["RECORDNO", "DEPARTMENTID", "PARENTKEY"])
        let vendors = Set(try await sandbox.queryAll(session: top, object: "VENDOR", fields: ["VENDORID"]).map { $0["VENDORID"]! })
        let departmentIDs = Set(departments.map { $0["DEPARTMENTID"]! })
        let totals = sandbox.server.totals()

        for entity in ["E100", "E200", "E300"] {
            let session = try await sandbox.session(entity: entity)
            let lines = try await sandbox.queryAll(session: session, object: "GLENTRY",
                                                   fields: ["BATCHKEY", "TR_TYPE", "AMOUNT", "ACCOUNTNO", "DEPARTMENTID", "VENDORID"])
            var balance: [String: Int] = [:]
            for row in lines {
                balance[row["BATCHKEY"]!, default: 0] += (row["TR_TYPE"] == "1" ? 1 : -1) * cents(row["AMOUNT"])
                XCTAssertTrue(accounts.contains(row["ACCOUNTNO"]!), "account \(row["ACCOUNTNO"]!)", file: file, line: line)
                XCTAssertTrue(departmentIDs.contains(row["DEPARTMENTID"]!), file: file, line: line)
                if let vendor = row["VENDORID"], !vendor.isEmpty { XCTAssertTrue(vendors.contains(vendor), vendor, file: file, line: line) }
            }
            XCTAssertTrue(balance.values.allSatisfy { $0 == 0 }, "\(entity): every batch balances", file: file, line: line)
            let gl = totals[entity]!["GLENTRY"]!
            XCTAssertEqual(gl.debits, gl.credits, file: file, line: line)
            XCTAssertEqual(gl.count, lines.count, file: file, line: line)
            XCTAssertEqual(totals[entity]!["GLDETAIL"]!.debits, gl.debits, file: file, line: line)

            let bills = try await sandbox.queryAll(session: session, object: "APBILL", fields: ["RECORDNO", "TOTALENTERED", "TOTALPAID", "TOTALDUE"])
            let payments = try await sandbox.queryAll(session: session, object: "APPYMT", fields: ["BILLKEY", "AMOUNT"])
            var paid: [String: Int] = [:]
            for payment in payments { paid[payment["BILLKEY"]!, default: 0] += cents(payment["AMOUNT"]) }
            let billKeys = Set(bills.map { $0["RECORDNO"]! })
            XCTAssertTrue(Set(paid.keys).isSubset(of: billKeys), "\(entity): payments apply to existing bills", file: file, line: line)
            for bill in bills {
                XCTAssertEqual(paid[bill["RECORDNO"]!] ?? 0, cents(bill["TOTALPAID"]), "bill \(bill["RECORDNO"]!)", file: file, line: line)
                XCTAssertEqual(cents(bill["TOTALDUE"]), cents(bill["TOTALENTERED"]) - cents(bill["TOTALPAID"]), file: file, line: line)
            }
            XCTAssertEqual(totals[entity]!["APPYMT"]!.amount, totals[entity]!["APBILL"]!.paid, file: file, line: line)
            XCTAssertEqual(cents(totals[entity]!["APBILL"]!.open),
                           cents(totals[entity]!["APBILL"]!.amount) - cents(totals[entity]!["APBILL"]!.paid), file: file, line: line)
        }

        // Departments: parents listed before children, at least three levels.
        var depth: [String: Int] = [:]
        for row in departments {
            let parent = row["PARENTKEY"]!
            if !parent.isEmpty { XCTAssertLessThan(Int(parent)!, Int(row["RECORDNO"]!)!, file: file, line: line) }
            depth[row["RECORDNO"]!] = parent.isEmpty ? 1 : depth[parent]! + 1
        }
        XCTAssertGreaterThanOrEqual(depth.values.max()!, 3, file: file, line: line)
    }

    func testGeneratedDataKeepsTheContractInvariants() async throws {
        try await assertInvariants()
    }

    func testInvariantsStillHoldAfterMutations() async throws {
        sandbox.server.advanceClock(seconds: 600)
        for object in ["GLENTRY", "GLBATCH", "APBILL", "APPYMT"] {
            for entity in ["E100", "E300"] {
                _ = try sandbox.server.mutate(object: object, entity: entity, modify: 3, delete: 2)
            }
        }
        try await assertInvariants()
    }

    func testTotalsCountsMatchTheRecordsListing() async throws {
        let totals = try await sandbox.adminJSON("GET", "/admin/totals")
        let e100 = totals["E100"] as! [String: Any]
        let apbill = e100["APBILL"] as! [String: Any]
        let response = try await sandbox.admin("GET", "/admin/records?object=APBILL&entity=E100")
        XCTAssertEqual(response.contentType, "application/x-ndjson")
        let lines = response.bodyText.split(separator: "\n")
        XCTAssertEqual(lines.count, apbill["count"] as? Int)
        let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as! [String: Any]
        XCTAssertEqual(first["deleted"] as? Bool, false)
        XCTAssertNotNil(first["recordno"] as? String)
        XCTAssertNotNil(first["whenmodified"] as? String)
        XCTAssertNotNil(apbill["open"] as? String)
        XCTAssertEqual(((totals["top"] as! [String: Any])["VENDOR"] as! [String: Any])["count"] as? Int, 150)
    }

    func testMutateServesNewVersionsHidesDeletesAndWritesAuditHistory() async throws {
        let session = try await sandbox.session(entity: "E100")
        let now = (try await sandbox.adminJSON("POST", "/admin/clock", json: #"{"advance_seconds":120}"#))["now"] as! String
        let before = try await sandbox.queryAll(session: session, object: "APBILL", fields: ["RECORDNO", "DESCRIPTION", "TOTALENTERED"])

        let response = try await sandbox.adminJSON("POST", "/admin/mutate", json: #"{"object":"APBILL","entity":"E100","modify":5,"delete":2}"#)
        let modified = response["modified"] as! [String]
        let deleted = response["deleted"] as! [String]
        XCTAssertEqual(modified.count, 5)
        XCTAssertEqual(deleted.count, 2)

        let changed = try await sandbox.queryAll(session: session, object: "APBILL", fields: ["RECORDNO", "DESCRIPTION", "TOTALENTERED", "WHENMODIFIED"],
            filter: "<greaterthanorequalto><field>WHENMODIFIED</field><value>\(now)</value></greaterthanorequalto>")
        XCTAssertEqual(Set(changed.map { $0["RECORDNO"]! }), Set(modified))
        XCTAssertTrue(changed.allSatisfy { $0["WHENMODIFIED"] == now && $0["DESCRIPTION"]!.hasSuffix("(rev 1)") })
        let old = Dictionary(uniqueKeysWithValues: before.map { ($0["RECORDNO"]!, $0["TOTALENTERED"]!) })
        XCTAssertTrue(changed.allSatisfy { $0["TOTALENTERED"] != old[$0["RECORDNO"]!] })

        let after = try await sandbox.queryAll(session: session, object: "APBILL", fields: ["RECORDNO"])
        XCTAssertEqual(after.count, before.count - 2)
        XCTAssertTrue(Set(after.map { $0["RECORDNO"]! }).isDisjoint(with: deleted))

        // Deleting a bill deleted its payments too; every change has an audit row.
        let top = try await sandbox.session()
        let filter = "<and><greaterthanorequalto><field>ACCESSTIME</field><value>\(now)</value></greaterthanorequalto>"
            + "<equalto><field>OBJECTTYPE</field><value>apbill</value></equalto><in><field>ACCESSMODE</field><value>D</value></in></and>"
        let audit = try await sandbox.queryAll(session: top, object: "AUDITHISTORY",
                                               fields: ["ID", "OBJECTTYPE", "OBJECTKEY", "ACCESSMODE", "ACCESSTIME", "MEGAENTITYID"],
                                               filter: filter, showPrivate: true)
        XCTAssertEqual(Set(audit.map { $0["OBJECTKEY"]! }), Set(deleted))
        XCTAssertTrue(audit.allSatisfy { $0["MEGAENTITYID"] == "E100" && $0["ACCESSTIME"] == now })
        let modifies = try await sandbox.queryAll(session: session, object: "AUDITHISTORY", fields: ["OBJECTKEY", "ACCESSMODE"],
            filter: "<and><equalto><field>ACCESSMODE</field><value>M</value></equalto><equalto><field>OBJECTTYPE</field><value>apbill</value></equalto></and>")
        XCTAssertEqual(Set(modifies.map { $0["OBJECTKEY"]! }), Set(modified))

        let records = try await sandbox.admin("GET", "/admin/records?object=APBILL&entity=E100")
        let deletedLines = records.bodyText.split(separator: "\n").filter { $0.contains(#""deleted":true"#) }
        XCTAssertEqual(deletedLines.count, 2)
    }

    func testModifyingAJournalLineRevisesItsWholeBatch() async throws {
        sandbox.server.advanceClock(seconds: 60)
        let result = try sandbox.server.mutate(object: "GLENTRY", entity: "E200", modify: 1)
        XCTAssertEqual(result.modified.count, 4, "all four lines of the batch")
        XCTAssertEqual(result.cascaded["GLBATCH"]?.count, 1)
        XCTAssertEqual(result.cascaded["GLDETAIL"]?.count, 4)
        let totals = sandbox.server.totals()["E200"]!["GLENTRY"]!
        XCTAssertEqual(totals.debits, totals.credits)
        XCTAssertThrowsError(try sandbox.server.mutate(object: "GLACCOUNT", entity: "top", delete: 1))
    }
}
