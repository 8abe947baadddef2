import Foundation
import Sandbox
import XCTest

/// Receivables, cash management, items, people, tasks, budgets and a platform object, served over the
/// sandbox's real gateway socket like the seed's objects.
final class ObjectsBeyondTheSeedTests: XCTestCase {
    var sandbox: SandboxHarness!

    override func setUp() async throws { sandbox = try await SandboxHarness(scale: 6_000) }
    override func tearDown() async throws { await sandbox.stop() }

    static let newObjects = ["CUSTOMER", "ARINVOICE", "ARINVOICEITEM", "ARPYMT", "ARADJUSTMENT", "ARADJUSTMENTITEM",
                             "CHECKINGACCOUNT", "SAVINGSACCOUNT", "CREDITCARD", "DEPOSIT", "PROVIDERBANKACCOUNT",
                             "ITEM", "EMPLOYEE", "TASK", "GLBUDGETITEM", "CUSTOMER_CONTRACT"]

    func cents(_ text: String?) -> Int {
        let negative = (text ?? "").hasPrefix("-")
        let parts = (text ?? "").replacingOccurrences(of: "-", with: "").split(separator: ".")
        let value = Int(parts[0])! * 100 + (parts.count > 1 ? Int(parts[1])! : 0)
        return negative ? -value : value
    }

    func lookupFields(_ session: String, _ object: String) async throws -> [(id: String, type: String)] {
        let root = try await sandbox.postXML(SandboxHarness.envelope(auth: "<sessionid>\(session)</sessionid>",
                                                                     functions: SandboxHarness.function("<lookup><object>\(object)</object></lookup>")))
        XCTAssertEqual(root.text("operation/result/status"), "success", root.xmlString)
        return root.element("operation/result/data/Type/Fields")?.childElements.map { ($0.text("ID"), $0.text("DATATYPE")) } ?? []
    }

    /// Every row of an object as a top-level session with showprivate sees it, ordered by RECORDNO.
    func rows(_ session: String, _ object: String, _ fields: [String], on harness: SandboxHarness? = nil) async throws -> [[String: String]] {
        var rows: [[String: String]] = []
        while true {
            let data = try await (harness ?? sandbox).query(session: session, object: object, fields: fields, orderBy: ["RECORDNO"],
                                               pageSize: 2000, offset: rows.count, showPrivate: true)
            rows += data.rows
            if data.attr("numremaining") == "0" || data.rows.isEmpty { return rows }
        }
    }

    func testEveryNewObjectAnswersLookupQueryAndReadByQueryWithTheTotalsCount() async throws {
        let top = try await sandbox.session()
        let totals = sandbox.server.totals()
        for object in Self.newObjects {
            let fields = try await lookupFields(top, object)
            XCTAssertEqual(fields.first?.id, "RECORDNO", object)
            XCTAssertTrue(fields.allSatisfy { !$0.type.isEmpty }, object)
            let served = try await rows(top, object, fields.map(\.id))
            let expected = totals.values.reduce(0) { $0 + ($1[object]?.count ?? 0) }
            XCTAssertGreaterThan(expected, 0, object)
            XCTAssertEqual(served.count, expected, object)
            XCTAssertEqual(Set(served.map { $0["RECORDNO"]! }).count, served.count, "\(object): keys are unique")
            XCTAssertEqual(Set(served.first?.keys.map { $0 } ?? []), Set(fields.map(\.id)), "\(object): rows carry exactly the selected fields")

            let read = try await sandbox.postXML(SandboxHarness.envelope(auth: "<sessionid>\(top)</sessionid>", functions: SandboxHarness.function(
                "<readByQuery><object>\(object)</object><fields>*</fields><query></query><pagesize>5</pagesize><showprivate>true</showprivate></readByQuery>")))
            let data = read.element("operation/result/data")
            XCTAssertEqual(data?.attr("listtype"), object.lowercased(), object)
            XCTAssertEqual(data?.childElements.first?.name, object.lowercased(), object)
            XCTAssertEqual(Int(data?.attr("totalcount") ?? ""), expected, object)
        }
    }

    func testTheBankFeedObjectHasNoWhenModifiedAndTheOthersDo() async throws {
        let top = try await sandbox.session()
        for object in Self.newObjects {
            let names = try await lookupFields(top, object).map(\.id)
            XCTAssertEqual(names.contains("WHENMODIFIED"), object != "PROVIDERBANKACCOUNT", object)
        }
        let root = try await sandbox.postXML(SandboxHarness.envelope(auth: "<sessionid>\(top)</sessionid>", functions: SandboxHarness.function(
            "<query><object>PROVIDERBANKACCOUNT</object><select><field>RECORDNO</field><field>WHENMODIFIED</field></select></query>")))
        XCTAssertEqual(root.errorNumbers("operation/result/errormessage"), ["DL02000001"], "WHENMODIFIED is an invalid field there")
    }

    /// TOTALDUE = TOTALENTERED − payments − adjustments per invoice, in base and transaction currency,
    /// with lines adding up to the invoice, and the totals matching the rows.
    func assertReceivablesBalance(file: StaticString = #filePath, line: UInt = #line) async throws {
        let top = try await sandbox.session()
        let totals = sandbox.server.totals()
        let customers = Set(try await rows(top, "CUSTOMER", ["CUSTOMERID"]).map { $0["CUSTOMERID"]! })
        let invoices = try await rows(top, "ARINVOICE", ["RECORDNO", "CUSTOMERID", "TOTALENTERED", "TOTALPAID", "TOTALDUE", "TRX_TOTALENTERED",
                                                         "TRX_TOTALPAID", "TRX_TOTALDUE", "CURRENCY", "BASECURR", "EXCHANGE_RATE", "MEGAENTITYID"])
        let items = try await rows(top, "ARINVOICEITEM", ["RECORDKEY", "AMOUNT", "TRX_AMOUNT"])
        let payments = try await rows(top, "ARPYMT", ["INVOICEKEY", "TOTALENTERED", "TRX_TOTALENTERED"])
        let adjustments = try await rows(top, "ARADJUSTMENT", ["RECORDNO", "INVOICEKEY", "TOTALENTERED", "TRX_TOTALENTERED"])
        let adjustmentItems = try await rows(top, "ARADJUSTMENTITEM", ["RECORDKEY", "AMOUNT"])
        var lineSums: [String: (Int, Int)] = [:], paid: [String: (Int, Int)] = [:], credited: [String: (Int, Int)] = [:]
        for item in items {
            let sum = lineSums[item["RECORDKEY"]!] ?? (0, 0)
            lineSums[item["RECORDKEY"]!] = (sum.0 + cents(item["AMOUNT"]), sum.1 + cents(item["TRX_AMOUNT"]))
        }
        for payment in payments {
            let sum = paid[payment["INVOICEKEY"]!] ?? (0, 0)
            paid[payment["INVOICEKEY"]!] = (sum.0 + cents(payment["TOTALENTERED"]), sum.1 + cents(payment["TRX_TOTALENTERED"]))
        }
        for adjustment in adjustments {
            let sum = credited[adjustment["INVOICEKEY"]!] ?? (0, 0)
            credited[adjustment["INVOICEKEY"]!] = (sum.0 + cents(adjustment["TOTALENTERED"]), sum.1 + cents(adjustment["TRX_TOTALENTERED"]))
        }
        let adjustmentAmounts = Dictionary(uniqueKeysWithValues: adjustments.map { ($0["RECORDNO"]!, cents($0["TOTALENTERED"])) })
        for item in adjustmentItems {
            XCTAssertEqual(cents(item["AMOUNT"]), adjustmentAmounts[item["RECORDKEY"]!], "adjustment line = adjustment", file: file, line: line)
        }
        XCTAssertTrue(invoices.contains { $0["CURRENCY"] != $0["BASECURR"] }, "some invoices are in a foreign currency", file: file, line: line)
        for invoice in invoices {
            let key = invoice["RECORDNO"]!
            XCTAssertTrue(customers.contains(invoice["CUSTOMERID"]!), file: file, line: line)
            let p = paid[key] ?? (0, 0), a = credited[key] ?? (0, 0)
            XCTAssertEqual(cents(invoice["TOTALPAID"]), p.0, "invoice \(key)", file: file, line: line)
            XCTAssertEqual(cents(invoice["TRX_TOTALPAID"]), p.1, "invoice \(key)", file: file, line: line)
            XCTAssertEqual(cents(invoice["TOTALDUE"]), cents(invoice["TOTALENTERED"]) - p.0 - a.0, "invoice \(key)", file: file, line: line)
            XCTAssertEqual(cents(invoice["TRX_TOTALDUE"]), cents(invoice["TRX_TOTALENTERED"]) - p.1 - a.1, "invoice \(key)", file: file, line: line)
            XCTAssertEqual(lineSums[key]?.0, cents(invoice["TOTALENTERED"]), "invoice \(key) lines", file: file, line: line)
            XCTAssertEqual(lineSums[key]?.1, cents(invoice["TRX_TOTALENTERED"]), "invoice \(key) lines", file: file, line: line)
            XCTAssertEqual(cents(invoice["TOTALENTERED"]), cents(invoice["TRX_TOTALENTERED"]) * cents(invoice["EXCHANGE_RATE"]) / 100,
                           file: file, line: line)
        }
        for entity in ["E100", "E200", "E300"] {
            let mine = invoices.filter { $0["MEGAENTITYID"] == entity }
            let total = totals[entity]!["ARINVOICE"]!
            XCTAssertEqual(total.count, mine.count, file: file, line: line)
            XCTAssertEqual(cents(total.amount), mine.reduce(0) { $0 + cents($1["TOTALENTERED"]) }, file: file, line: line)
            XCTAssertEqual(cents(total.open), mine.reduce(0) { $0 + cents($1["TOTALDUE"]) }, file: file, line: line)
            XCTAssertEqual(total.paid, totals[entity]!["ARPYMT"]!.amount, file: file, line: line)
            XCTAssertEqual(total.adjusted, totals[entity]!["ARADJUSTMENT"]!.amount, file: file, line: line)
        }
    }

    func testInvoicesDueEqualsEnteredLessPaymentsAndAdjustmentsInBothCurrencies() async throws {
        try await assertReceivablesBalance()
    }

    func testDeletingAnInvoiceCascadesAndEveryChangeLeavesAnAuditRow() async throws {
        _ = sandbox.server.advanceClock(seconds: 60)
        let deleted = try sandbox.server.mutate(object: "ARINVOICE", entity: "E100", modify: 2, delete: 3)
        XCTAssertEqual(deleted.modified.count, 2)
        XCTAssertEqual(deleted.deleted.count, 3)
        XCTAssertEqual(deleted.cascaded["ARINVOICEITEM"]?.count, 10, "two lines per invoice changed or deleted")
        let payment = try sandbox.server.mutate(object: "ARPYMT", entity: "E200", delete: 1)
        XCTAssertEqual(payment.cascaded["ARINVOICE"]?.count, 1, "the paid invoice is re-stamped")
        let adjustment = try sandbox.server.mutate(object: "ARADJUSTMENT", entity: "E300", delete: 1)
        XCTAssertEqual(adjustment.cascaded["ARADJUSTMENTITEM"]?.count, 1)
        _ = try sandbox.server.mutate(object: "CUSTOMER", modify: 1, delete: 1)
        _ = try sandbox.server.mutate(object: "PROVIDERBANKACCOUNT", delete: 1)
        XCTAssertThrowsError(try sandbox.server.mutate(object: "CHECKINGACCOUNT", entity: "E100", delete: 1), "deposits refer to it")
        try await assertReceivablesBalance()

        let top = try await sandbox.session()
        let audit = try await sandbox.queryAll(session: top, object: "AUDITHISTORY", fields: ["OBJECTTYPE", "OBJECTKEY", "ACCESSMODE"],
                                               showPrivate: true)
        for key in deleted.deleted {
            XCTAssertTrue(audit.contains { $0["OBJECTTYPE"] == "arinvoice" && $0["OBJECTKEY"] == key && $0["ACCESSMODE"] == "D" }, key)
        }
        XCTAssertTrue(audit.contains { $0["OBJECTTYPE"] == "providerbankaccount" && $0["ACCESSMODE"] == "D" })
        let feeds = try await rows(top, "PROVIDERBANKACCOUNT", ["RECORDNO"])
        XCTAssertEqual(feeds.count, sandbox.server.totals()["top"]!["PROVIDERBANKACCOUNT"]!.count)
        let e100 = try await sandbox.session(entity: "E100")
        let changed = try await sandbox.queryAll(session: e100, object: "ARINVOICE", fields: ["RECORDNO", "WHENMODIFIED"],
                                                 filter: "<greaterthanorequalto><field>WHENMODIFIED</field><value>\(sandbox.server.now)</value></greaterthanorequalto>")
        XCTAssertEqual(Set(changed.map { $0["RECORDNO"]! }), Set(deleted.modified), "modified invoices carry the mutate's WHENMODIFIED")
    }

    func testFaultRulesMatchTheNewObjectsByName() async throws {
        sandbox.server.addFault(SandboxFault(kind: .applicationError, object: "CUSTOMER_CONTRACT", errorno: "BL01001973"))
        let top = try await sandbox.session()
        let failed = try await sandbox.postXML(SandboxHarness.envelope(auth: "<sessionid>\(top)</sessionid>", functions: SandboxHarness.function(
            "<query><object>CUSTOMER_CONTRACT</object><select><field>RECORDNO</field></select></query>")))
        XCTAssertEqual(failed.errorNumbers("operation/result/errormessage"), ["BL01001973"])
        let contracts = try await rows(top, "CUSTOMER_CONTRACT", ["RECORDNO", "RCUSTOMER", "CUSTOMERID"])
        let customers = try await rows(top, "CUSTOMER", ["RECORDNO", "CUSTOMERID"])
        let byKey = Dictionary(uniqueKeysWithValues: customers.map { ($0["RECORDNO"]!, $0["CUSTOMERID"]!) })
        XCTAssertFalse(contracts.isEmpty)
        for contract in contracts {
            XCTAssertEqual(byKey[contract["RCUSTOMER"]!], contract["CUSTOMERID"], "the relationship points at the customer it names")
        }
    }

    func testTheSameSeedServesTheSameNewObjects() async throws {
        try await SandboxHarness.with(scale: 6_000) { other in
            for (object, field) in [("ARINVOICE", "TOTALENTERED"), ("GLBUDGETITEM", "AMOUNT"), ("EMPLOYEE", "CONTACT_NAME")] {
                let mine = try await rows(try await sandbox.session(), object, ["RECORDNO", field])
                let theirs = try await rows(try await other.session(), object, ["RECORDNO", field], on: other)
                XCTAssertEqual(mine, theirs, object)
            }
        }
    }
}
