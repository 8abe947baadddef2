import Foundation
import Sandbox
import XCTest

/// GLACCOUNT, DEPARTMENT and GLDETAIL carry Intacct's full standard field lists, as a real company's
/// lookup answers them, without changing the fields the contract already had.
final class StandardFieldListTests: XCTestCase {
    var sandbox: SandboxHarness!

    override func setUp() async throws { sandbox = try await SandboxHarness(scale: 4_000) }
    override func tearDown() async throws { await sandbox.stop() }

    func lookup(_ session: String, _ object: String) async throws -> [(id: String, type: String, custom: Bool)] {
        let root = try await sandbox.postXML(SandboxHarness.envelope(auth: "<sessionid>\(session)</sessionid>",
                                                                     functions: SandboxHarness.function("<lookup><object>\(object)</object></lookup>")))
        return root.element("operation/result/data/Type/Fields")?.childElements.map {
            ($0.text("ID"), $0.text("DATATYPE"), $0.text("ISCUSTOM") == "true")
        } ?? []
    }

    func testLookupListsTheFullStandardFieldsWithTheirTypes() async throws {
        let top = try await sandbox.session()
        let expected = ["GLACCOUNT": 50, "DEPARTMENT": 19, "GLDETAIL": 93]
        for (object, count) in expected {
            let standard = try await lookup(top, object).filter { !$0.custom }
            XCTAssertGreaterThanOrEqual(standard.count, count, object)
        }
        let account = Dictionary(uniqueKeysWithValues: try await lookup(top, "GLACCOUNT").map { ($0.id, $0.type) })
        XCTAssertEqual(account["CLOSINGACCOUNTNO"], "TEXT")
        XCTAssertEqual(account["REQUIREPROJECT"], "BOOLEAN")
        XCTAssertEqual(account["CLOSETOACCTKEY"], "INTEGER")
        let detail = Dictionary(uniqueKeysWithValues: try await lookup(top, "GLDETAIL").map { ($0.id, $0.type) })
        XCTAssertEqual(detail["TRX_AMOUNT"], "DECIMAL")
        XCTAssertEqual(detail["MODIFIED"], "TIMESTAMP")
        XCTAssertEqual(detail["CLRDATE"], "DATE")
    }

    func testASelectOfRealFieldsTheContractLackedWorksAndAnUnknownFieldIsInvalid() async throws {
        let top = try await sandbox.session()
        let accounts = try await sandbox.queryAll(session: top, object: "GLACCOUNT", fields: ["ACCOUNTNO", "ACCOUNTTYPE", "CLOSINGACCOUNTNO", "RECORD_URL"])
        XCTAssertEqual(accounts.count, 30)
        for account in accounts {
            XCTAssertEqual(account["CLOSINGACCOUNTNO"], account["ACCOUNTTYPE"] == "incomestatement" ? "3100" : "", account["ACCOUNTNO"]!)
            XCTAssertFalse(account["RECORD_URL"]!.isEmpty)
        }
        let departments = try await sandbox.queryAll(session: top, object: "DEPARTMENT", fields: ["DEPARTMENTID", "SUPERVISORKEY", "SUPERVISORID"])
        let employees = try await sandbox.queryAll(session: top, object: "EMPLOYEE", fields: ["RECORDNO", "EMPLOYEEID"])
        let employeeIDs = Dictionary(uniqueKeysWithValues: employees.map { ($0["RECORDNO"]!, $0["EMPLOYEEID"]!) })
        for department in departments {
            XCTAssertEqual(employeeIDs[department["SUPERVISORKEY"]!], department["SUPERVISORID"], "the supervisor is an employee")
        }
        let e100 = try await sandbox.session(entity: "E100")
        let lines = try await sandbox.query(session: e100, object: "GLDETAIL",
                                            fields: ["RECORDNO", "SYMBOL", "TR_TYPE", "DEBITAMOUNT", "TRX_DEBITAMOUNT", "CREDITAMOUNT", "TRX_CREDITAMOUNT", "BASECURR", "CURRENCY"],
                                            pageSize: 200).rows
        XCTAssertEqual(lines.count, 200)
        for line in lines {
            XCTAssertFalse(line["SYMBOL"]!.isEmpty)
            XCTAssertEqual(line["TRX_DEBITAMOUNT"], line["DEBITAMOUNT"])
            XCTAssertEqual(line["TRX_CREDITAMOUNT"], line["CREDITAMOUNT"])
            XCTAssertEqual(line["BASECURR"], line["CURRENCY"])
            XCTAssertEqual(line["TR_TYPE"], line["DEBITAMOUNT"] == "0.00" ? "-1" : "1")
        }

        let root = try await sandbox.postXML(SandboxHarness.envelope(auth: "<sessionid>\(top)</sessionid>", functions: SandboxHarness.function(
            "<query><object>GLACCOUNT</object><select><field>ACCOUNTNO</field><field>NOSUCHFIELD</field></select></query>")))
        XCTAssertEqual(root.text("operation/result/status"), "failure")
        XCTAssertEqual(root.errorNumbers("operation/result/errormessage"), ["DL02000001"])
        XCTAssertTrue(root.text("operation/result/errormessage/error/description2").contains("NOSUCHFIELD"))
    }

    func testACustomFieldReadsTheSameWhetherOrNotAnExtendedFieldIsSelectedWithIt() async throws {
        let e200 = try await sandbox.session(entity: "E200")
        let alone = try await sandbox.query(session: e200, object: "GLDETAIL", fields: ["RECORDNO", "GLDIM_REGION"], pageSize: 100).rows
        let with = try await sandbox.query(session: e200, object: "GLDETAIL", fields: ["RECORDNO", "SYMBOL", "GLDIM_REGION"], pageSize: 100).rows
        XCTAssertEqual(alone.map { $0["GLDIM_REGION"]! }, with.map { $0["GLDIM_REGION"]! })
        XCTAssertFalse(alone.contains { $0["GLDIM_REGION"]!.isEmpty })
    }

    func testBillsCarryTheirTransactionAmountsAndTheVendorKey() async throws {
        let top = try await sandbox.session()
        let billFields = try await lookup(top, "APBILL")
        XCTAssertGreaterThanOrEqual(billFields.filter { !$0.custom }.count, 84)
        let vendors = Dictionary(uniqueKeysWithValues: try await sandbox.queryAll(session: top, object: "VENDOR", fields: ["VENDORID", "RECORDNO"])
            .map { ($0["VENDORID"]!, $0["RECORDNO"]!) })
        let e300 = try await sandbox.session(entity: "E300")
        let bills = try await sandbox.queryAll(session: e300, object: "APBILL", fields: [
            "VENDORID", "VENDORKEY", "TOTALENTERED", "TRX_TOTALENTERED", "TOTALDUE", "TRX_TOTALDUE", "CURRENCY", "BASECURR", "MEGAENTITYNAME"])
        XCTAssertFalse(bills.isEmpty)
        for bill in bills {
            XCTAssertEqual(vendors[bill["VENDORID"]!], bill["VENDORKEY"])
            XCTAssertEqual(bill["TRX_TOTALENTERED"], bill["TOTALENTERED"])
            XCTAssertEqual(bill["TRX_TOTALDUE"], bill["TOTALDUE"])
            XCTAssertEqual(bill["BASECURR"], "EUR")
            XCTAssertEqual(bill["MEGAENTITYNAME"], "Demo EU GmbH")
        }
    }

    func testTheContractsFieldsKeepTheirPlaceBeforeTheAddedOnes() async throws {
        let top = try await sandbox.session()
        let names = try await lookup(top, "GLACCOUNT").map(\.id)
        XCTAssertEqual(Array(names.prefix(13)), ["RECORDNO", "ACCOUNTNO", "TITLE", "ACCOUNTTYPE", "NORMALBALANCE", "CLOSINGTYPE", "CATEGORY",
                                                 "CATEGORYKEY", "STATUS", "REQUIREDEPT", "REQUIRELOC", "WHENCREATED", "WHENMODIFIED"])
        XCTAssertEqual(names.last, "CUSTOMFIELD_IFRS_CODE", "custom fields stay last")
    }
}
