import Foundation
import Sandbox
import XCTest

final class QueryTests: XCTestCase {
    var sandbox: SandboxHarness!

    override func setUp() async throws { sandbox = try await SandboxHarness(scale: 20_000) }
    override func tearDown() async throws { await sandbox.stop() }

    func testPagingByOffsetCoversTotalCountWithoutDuplicates() async throws {
        let session = try await sandbox.session(entity: "E100")
        let first = try await sandbox.query(session: session, object: "GLENTRY", fields: ["RECORDNO", "WHENMODIFIED"], pageSize: 500)
        let total = Int(first.attr("totalcount"))!
        XCTAssertGreaterThan(total, 5 * 500, "needs at least five pages")
        let rows = try await sandbox.queryAll(session: session, object: "GLENTRY", fields: ["RECORDNO", "WHENMODIFIED"], pageSize: 500)
        XCTAssertEqual(rows.count, total)
        XCTAssertEqual(Set(rows.map { $0["RECORDNO"]! }).count, total, "no duplicate RECORDNO")
        let times = rows.map { IntacctTimestamp($0["WHENMODIFIED"]!) }
        XCTAssertEqual(times, times.sorted(), "ordered by WHENMODIFIED")
    }

    func testNumRemainingIsTotalMinusOffsetMinusCount() async throws {
        let session = try await sandbox.session(entity: "E200")
        let data = try await sandbox.query(session: session, object: "APBILL", fields: ["RECORDNO"], pageSize: 100, offset: 250)
        let total = Int(data.attr("totalcount"))!
        XCTAssertEqual(data.attr("offset"), "250")
        XCTAssertEqual(Int(data.attr("numremaining"))!, total - 250 - 100)
    }

    func testReadByQueryThenReadMoreReturnsEveryRowOnce() async throws {
        let session = try await sandbox.session(entity: "E300")
        let auth = "<sessionid>\(session)</sessionid>"
        var root = try await sandbox.postXML(SandboxHarness.envelope(auth: auth, functions: SandboxHarness.function(
            "<readByQuery><object>APPYMT</object><fields>RECORDNO,AMOUNT,WHENMODIFIED</fields><query>WHENMODIFIED &gt;= '01/01/2020 00:00:00'</query><pagesize>100</pagesize></readByQuery>")))
        var data = root.element("operation/result/data")!
        XCTAssertEqual(data.attr("listtype"), "appymt")
        XCTAssertEqual(data.childElements.first?.name, "appymt")
        XCTAssertEqual(Set(data.rows[0].keys), ["RECORDNO", "AMOUNT", "WHENMODIFIED"])
        let total = Int(data.attr("totalcount"))!
        var rows = data.rows
        var resultID = data.attr("resultId")
        XCTAssertFalse(resultID.isEmpty)
        while !resultID.isEmpty {
            root = try await sandbox.postXML(SandboxHarness.envelope(auth: auth, functions: SandboxHarness.function(
                "<readMore><resultId>\(resultID)</resultId></readMore>")))
            XCTAssertEqual(root.text("operation/result/function"), "readMore")
            data = root.element("operation/result/data")!
            rows += data.rows
            resultID = data.attr("resultId")
            if resultID.isEmpty { XCTAssertEqual(data.attr("numremaining"), "0") }
        }
        XCTAssertEqual(rows.count, total)
        XCTAssertEqual(Set(rows.map { $0["RECORDNO"]! }).count, total)
    }

    func testReadByQueryUnderstandsEqualsAndOrIn() async throws {
        let session = try await sandbox.session()
        let auth = "<sessionid>\(session)</sessionid>"
        let query = "VENDORID = 'V0001' OR (VENDORID in ('V0002','V0003') AND STATUS = 'active')"
        let root = try await sandbox.postXML(SandboxHarness.envelope(auth: auth, functions: SandboxHarness.function(
            "<readByQuery><object>VENDOR</object><fields>VENDORID</fields><query>\(query)</query><pagesize>10</pagesize></readByQuery>")))
        XCTAssertEqual(Set(root.element("operation/result/data")!.rows.map { $0["VENDORID"]! }), ["V0001", "V0002", "V0003"])
        let empty = try await sandbox.postXML(SandboxHarness.envelope(auth: auth, functions: SandboxHarness.function(
            "<readByQuery><object>DEPARTMENT</object><fields>*</fields><query></query><pagesize>100</pagesize></readByQuery>")))
        XCTAssertEqual(empty.element("operation/result/data")!.rows.count, 20)
    }

    func testWhenModifiedFiltersCompareTimesNotStrings() async throws {
        let session = try await sandbox.session(entity: "E100")
        let all = try await sandbox.queryAll(session: session, object: "APBILL", fields: ["RECORDNO", "WHENMODIFIED"])
        let cut = all[all.count / 2]["WHENMODIFIED"]!
        let upper = all[all.count * 3 / 4]["WHENMODIFIED"]!
        let filter = "<and><greaterthanorequalto><field>WHENMODIFIED</field><value>\(cut)</value></greaterthanorequalto>"
            + "<lessthan><field>WHENMODIFIED</field><value>\(upper)</value></lessthan></and>"
        let window = try await sandbox.queryAll(session: session, object: "APBILL", fields: ["RECORDNO", "WHENMODIFIED"], filter: filter)
        let expected = all.filter { IntacctTimestamp($0["WHENMODIFIED"]!) >= IntacctTimestamp(cut) && IntacctTimestamp($0["WHENMODIFIED"]!) < IntacctTimestamp(upper) }
        XCTAssertEqual(window.map { $0["RECORDNO"]! }, expected.map { $0["RECORDNO"]! })
        XCTAssertFalse(window.isEmpty)

        // Values in other years: a string comparison of MM/DD/YYYY would get these wrong.
        let since2025 = try await sandbox.query(session: session, object: "APBILL", fields: ["RECORDNO"],
            filter: "<greaterthan><field>WHENMODIFIED</field><value>12/31/2024 23:59:59</value></greaterthan>", pageSize: 1)
        XCTAssertEqual(since2025.attr("totalcount"), String(all.count))
        let future = try await sandbox.query(session: session, object: "APBILL", fields: ["RECORDNO"],
            filter: "<greaterthanorequalto><field>WHENMODIFIED</field><value>02/01/2026 00:00:00</value></greaterthanorequalto>", pageSize: 1)
        XCTAssertEqual(future.attr("totalcount"), "0")
    }

    func testOtherFilterOperatorsAndDescendingOrder() async throws {
        let session = try await sandbox.session()
        let like = try await sandbox.queryAll(session: session, object: "DEPARTMENT", fields: ["DEPARTMENTID"],
                                              filter: "<like><field>DEPARTMENTID</field><value>D2%</value></like>")
        XCTAssertEqual(like.map { $0["DEPARTMENTID"]! }.sorted(), ["D200", "D210", "D211", "D212", "D220", "D230"])
        let between = try await sandbox.queryAll(session: session, object: "GLACCOUNT", fields: ["ACCOUNTNO"],
            filter: "<between><field>RECORDNO</field><value>3</value><value>5</value></between>")
        XCTAssertEqual(between.count, 3)
        let roots = try await sandbox.queryAll(session: session, object: "DEPARTMENT", fields: ["DEPARTMENTID"],
            filter: "<isnull><field>PARENTKEY</field></isnull>")
        XCTAssertEqual(roots.map { $0["DEPARTMENTID"]! }, ["D000"])
        let notIn = try await sandbox.queryAll(session: session, object: "CLASS", fields: ["CLASSID"],
            filter: "<or><notin><field>CLASSID</field><value>C100</value><value>C200</value></notin><equalto><field>CLASSID</field><value>C100</value></equalto></or>")
        XCTAssertEqual(notIn.count, 5)
        let desc = try await sandbox.query(session: session, object: "GLACCOUNT", fields: ["ACCOUNTNO"], orderBy: [], pageSize: 100)
        XCTAssertEqual(desc.rows.count, 30)
        let body = "<query><object>GLACCOUNT</object><select><field>ACCOUNTNO</field></select><orderby><order><field>ACCOUNTNO</field><descending/></order></orderby></query>"
        let root = try await sandbox.postXML(SandboxHarness.envelope(auth: "<sessionid>\(session)</sessionid>", functions: SandboxHarness.function(body)))
        let numbers = root.element("operation/result/data")!.rows.map { $0["ACCOUNTNO"]! }
        XCTAssertEqual(numbers, numbers.sorted(by: >))
        let invalid = "<query><object>GLACCOUNT</object><select><field>ACCOUNTNO</field></select><filter><and><equalto><field>ACCOUNTNO</field><value>1000</value></equalto></and></filter></query>"
        let failed = try await sandbox.postXML(SandboxHarness.envelope(auth: "<sessionid>\(session)</sessionid>", functions: SandboxHarness.function(invalid)))
        XCTAssertEqual(failed.text("operation/result/status"), "failure", "<and> needs two children")
    }

    func testAnEntitySessionSeesOnlyItsOwnEntityRecords() async throws {
        let session = try await sandbox.session(entity: "E200")
        let rows = try await sandbox.queryAll(session: session, object: "GLBATCH", fields: ["RECORDNO", "MEGAENTITYID"])
        XCTAssertEqual(Set(rows.map { $0["MEGAENTITYID"]! }), ["E200"])
        let totals = sandbox.server.totals()
        XCTAssertEqual(rows.count, totals["E200"]!["GLBATCH"]!.count)
        let vendors = try await sandbox.query(session: session, object: "VENDOR", fields: ["RECORDNO"], pageSize: 1)
        XCTAssertEqual(vendors.attr("totalcount"), "150", "top-level records stay visible")
        let root = try await sandbox.postXML(SandboxHarness.envelope(auth: "<sessionid>\(session)</sessionid>",
                                                                     functions: SandboxHarness.function("<getAPISession/>")))
        XCTAssertEqual(root.text("operation/authentication/locationid"), "E200")
    }

    func testATopLevelSessionWithShowPrivateSeesEveryEntityWithMegaEntityID() async throws {
        let session = try await sandbox.session()
        let hidden = try await sandbox.query(session: session, object: "GLBATCH", fields: ["RECORDNO"], pageSize: 1, showPrivate: false)
        XCTAssertEqual(hidden.attr("totalcount"), "0")
        let rows = try await sandbox.queryAll(session: session, object: "GLBATCH", fields: ["RECORDNO", "MEGAENTITYID", "WHENMODIFIED"],
                                              pageSize: 700, showPrivate: true)
        let totals = sandbox.server.totals()
        XCTAssertEqual(rows.count, ["E100", "E200", "E300"].reduce(0) { $0 + totals[$1]!["GLBATCH"]!.count })
        XCTAssertEqual(Set(rows.map { $0["MEGAENTITYID"]! }), ["E100", "E200", "E300"])
        XCTAssertEqual(Set(rows.map { $0["RECORDNO"]! }).count, rows.count)
        let times = rows.map { IntacctTimestamp($0["WHENMODIFIED"]!) }
        XCTAssertEqual(times, times.sorted(), "entities merged in WHENMODIFIED order")
    }

    func testTheSameSeedServesIdenticalPagesAndAnotherSeedDoesNot() async throws {
        try await SandboxHarness.with(seed: 42, scale: 20_000) { twin in
            try await SandboxHarness.with(seed: 43, scale: 20_000) { other in
                func page(_ harness: SandboxHarness, _ object: String, _ fields: [String]) async throws -> String {
                    let session = try await harness.session(entity: "E100")
                    let data = try await harness.query(session: session, object: object, fields: fields, pageSize: 200, offset: 300)
                    return data.xmlString
                }
                let fields = ["RECORDNO", "VENDORID", "TOTALENTERED", "TOTALPAID", "DESCRIPTION", "WHENMODIFIED"]
                let a = try await page(sandbox, "APBILL", fields)
                let b = try await page(twin, "APBILL", fields)
                let c = try await page(other, "APBILL", fields)
                XCTAssertEqual(a, b)
                XCTAssertNotEqual(a, c)
                let vendorsA = try await page(sandbox, "VENDOR", ["VENDORID", "NAME"])
                let vendorsB = try await page(twin, "VENDOR", ["VENDORID", "NAME"])
                XCTAssertEqual(vendorsA, vendorsB)
            }
        }
    }
}

/// Seconds of a `MM/DD/YYYY HH:MM:SS` value, for ordering checks in tests.
func IntacctTimestamp(_ text: String) -> Int {
    let n = text.split(whereSeparator: { !$0.isNumber }).map { Int($0)! }
    return ((((n[2] * 12 + n[0]) * 31 + n[1]) * 24 + n[3]) * 60 + n[4]) * 60 + n[5]
}
