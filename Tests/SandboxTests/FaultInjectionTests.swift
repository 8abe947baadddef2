import Foundation
import Sandbox
import XCTest

final class FaultInjectionTests: XCTestCase {
    var sandbox: SandboxHarness!
    var session = ""

    override func setUp() async throws {
        sandbox = try await SandboxHarness(scale: 5_000)
        session = try await sandbox.session()
    }

    override func tearDown() async throws { await sandbox.stop() }

    func vendorQuery(_ extra: String = "") -> String {
        SandboxHarness.envelope(auth: "<sessionid>\(session)</sessionid>", functions: SandboxHarness.function(
            "<query><object>VENDOR</object><select><field>VENDORID</field><field>NAME</field></select><pagesize>20</pagesize></query>") + extra)
    }

    func addFault(_ json: String) async throws {
        let answer = try await sandbox.admin("POST", "/admin/faults", json: json)
        XCTAssertEqual(answer.status, 200, answer.bodyText)
    }

    func assertHealthy(file: StaticString = #filePath, line: UInt = #line) async throws {
        let response = try await sandbox.post(vendorQuery())
        XCTAssertEqual(response.status, 200, file: file, line: line)
        let root = try SandboxHarness.parse(response.body)
        XCTAssertEqual(root.text("operation/result/status"), "success", file: file, line: line)
    }

    func testLatencyDelaysTheAnswer() async throws {
        try await addFault(#"{"kind":"latency","ms":300}"#)
        let start = ContinuousClock.now
        try await assertHealthy()
        let elapsed = ContinuousClock.now - start
        print("latency fault: answered after \(elapsed)")
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(290))
    }

    func testHTTP429CarriesRetryAfterAndTheGW0010ControlFailure() async throws {
        try await addFault(#"{"kind":"http429","retry_after":7}"#)
        let response = try await sandbox.post(vendorQuery())
        XCTAssertEqual(response.status, 429)
        XCTAssertEqual(response.headers["retry-after"], "7")
        XCTAssertTrue(response.contentType.hasPrefix("text/xml"))
        let root = try SandboxHarness.parse(response.body)
        XCTAssertEqual(root.text("control/status"), "failure")
        XCTAssertEqual(root.errorNumbers("errormessage"), ["GW-0010"])
        XCTAssertEqual(sandbox.server.stats().rateLimited, 1)
        try await assertHealthy()
    }

    func testGatewayErrorsComeAsHTMLWithTheirStatus() async throws {
        for (kind, status) in [("http502", 502), ("http503", 503), ("http524", 524)] {
            try await addFault(#"{"kind":"\#(kind)"}"#)
            let response = try await sandbox.post(vendorQuery())
            XCTAssertEqual(response.status, status, kind)
            XCTAssertTrue(response.contentType.hasPrefix("text/html"), kind)
            XCTAssertTrue(response.bodyText.contains("<html"), kind)
        }
        try await assertHealthy()
    }

    func testCloudflareErrorPagesContainCfErrorDetails() async throws {
        sandbox.server.addFault(SandboxFault(kind: .cloudflareHTML))
        let response = try await sandbox.post(vendorQuery())
        XCTAssertEqual(response.status, 520)
        XCTAssertTrue(response.bodyText.contains("cf-error-details"))
        try await assertHealthy()
    }

    func testSessionExpiryFailsAuthenticationAfterNCalls() async throws {
        try await addFault(#"{"kind":"session_expiry","after_calls":2}"#)
        try await assertHealthy()
        try await assertHealthy()
        let root = try await sandbox.postXML(vendorQuery())
        XCTAssertEqual(root.text("operation/authentication/status"), "failure")
        XCTAssertEqual(root.errorNumbers("operation/errormessage"), ["XL03000006"])
        let again = try await sandbox.postXML(vendorQuery())
        XCTAssertEqual(again.text("operation/authentication/status"), "failure", "the session stays expired")
        session = try await sandbox.session()
        try await assertHealthy()
    }

    func testApplicationErrorsFailOnlyTheMatchingObject() async throws {
        try await addFault(#"{"kind":"application_error","object":"APBILL","errorno":"BL03000018","description":"Bad thing","description2":"Really bad","correction":"Please Try Again Later","times":-1}"#)
        let extra = SandboxHarness.function("<query><object>APBILL</object><select><field>RECORDNO</field></select><options><showprivate>true</showprivate></options></query>", id: "bill")
        for _ in 0..<2 {
            let root = try await sandbox.postXML(vendorQuery(extra))
            let results = root.element("operation")!.childElements.filter { $0.name == "result" }
            XCTAssertEqual(results.map { $0.text("status") }, ["success", "failure"])
            XCTAssertEqual(results[1].text("errormessage/error/errorno"), "BL03000018")
            XCTAssertEqual(results[1].text("errormessage/error/description2"), "Really bad")
            XCTAssertEqual(results[1].text("errormessage/error/correction"), "Please Try Again Later")
        }
        let cleared = try await sandbox.admin("DELETE", "/admin/faults")
        XCTAssertEqual(cleared.status, 200)
        let root = try await sandbox.postXML(vendorQuery(extra))
        XCTAssertEqual(root.element("operation")!.childElements.filter { $0.name == "result" }.map { $0.text("status") }, ["success", "success"])
    }

    func testControlCharactersArriveAsRawBytesInsideAVendorName() async throws {
        try await addFault(#"{"kind":"control_characters","object":"VENDOR"}"#)
        let response = try await sandbox.post(vendorQuery())
        XCTAssertEqual(response.status, 200)
        XCTAssertTrue(response.body.contains(0x01))
        XCTAssertTrue(response.body.contains(0x0B))
        XCTAssertFalse(SandboxHarness.isWellFormed(response.body), "XML 1.0 forbids these characters")
        let cleaned = Data(response.body.filter { $0 >= 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D })
        let dirtyNames = try SandboxHarness.parse(cleaned).element("operation/result/data")!.rows.map { $0["NAME"]! }
        let clean = try await sandbox.postXML(vendorQuery())
        XCTAssertEqual(dirtyNames, clean.element("operation/result/data")!.rows.map { $0["NAME"]! }, "stripping gives the clean value back")
    }

    func testTruncatedXMLCutsTheBodyMidRow() async throws {
        try await addFault(#"{"kind":"truncated_xml","function":"query"}"#)
        let response = try await sandbox.post(vendorQuery())
        XCTAssertEqual(response.status, 200)
        XCTAssertLessThan(response.body.count, 1500, "a 20-row page is cut about in half")
        XCTAssertTrue(response.bodyText.contains("<VENDOR>"))
        XCTAssertFalse(response.bodyText.hasSuffix("</response>"))
        try await assertHealthy()
    }

    func testFlakyAuditHistoryFailsWithDL02000001() async throws {
        _ = try sandbox.server.mutate(object: "APBILL", entity: "E100", delete: 1)
        try await addFault(#"{"kind":"flaky_audit_history","times":1}"#)
        let audit = SandboxHarness.function("<query><object>AUDITHISTORY</object><select><field>ID</field><field>OBJECTKEY</field></select><options><showprivate>true</showprivate></options></query>", id: "audit")
        var root = try await sandbox.postXML(vendorQuery(audit))
        var results = root.element("operation")!.childElements.filter { $0.name == "result" }
        XCTAssertEqual(results.map { $0.text("status") }, ["success", "failure"])
        XCTAssertEqual(results[1].text("errormessage/error/errorno"), "DL02000001")
        XCTAssertEqual(results[1].text("errormessage/error/description2"), "There was an error processing the request.")
        root = try await sandbox.postXML(vendorQuery(audit))
        results = root.element("operation")!.childElements.filter { $0.name == "result" }
        XCTAssertEqual(results.map { $0.text("status") }, ["success", "success"])
        XCTAssertGreaterThanOrEqual(results[1].element("data")!.rows.count, 1)
    }

    func testFaultsCanTargetOneFunctionAndObject() async throws {
        try await addFault(#"{"kind":"http503","object":"GLACCOUNT","function":"query","times":-1}"#)
        try await assertHealthy()
        let glaccount = SandboxHarness.envelope(auth: "<sessionid>\(session)</sessionid>", functions: SandboxHarness.function(
            "<query><object>GLACCOUNT</object><select><field>RECORDNO</field></select></query>"))
        let first = try await sandbox.post(glaccount)
        let second = try await sandbox.post(glaccount)
        XCTAssertEqual([first.status, second.status], [503, 503])
        let listed = try await sandbox.admin("GET", "/admin/faults")
        XCTAssertTrue(listed.bodyText.contains("http503"))
        sandbox.server.clearFaults()
        let third = try await sandbox.post(glaccount)
        XCTAssertEqual(third.status, 200)
    }
}
