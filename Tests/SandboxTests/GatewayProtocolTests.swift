import Foundation
import Sandbox
import XCTest

final class GatewayProtocolTests: XCTestCase {
    var sandbox: SandboxHarness!

    override func setUp() async throws { sandbox = try await SandboxHarness(scale: 5_000) }
    override func tearDown() async throws { await sandbox.stop() }

    func testAWrongSenderPasswordIsAControlFailureXL03000006() async throws {
        let xml = SandboxHarness.envelope(auth: SandboxHarness.login, functions: SandboxHarness.function("<getAPISession/>"),
                                          sender: "<senderid>demo-sender</senderid><password>wrong</password>")
        let root = try await sandbox.postXML(xml)
        XCTAssertEqual(root.text("control/status"), "failure")
        XCTAssertEqual(root.text("control/controlid"), "ctl-1")
        XCTAssertEqual(root.errorNumbers("errormessage"), ["XL03000006"])
        XCTAssertNil(root.element("operation"))
    }

    func testMalformedXMLIsAControlFailureXL03000003() async throws {
        for body in ["<request><control>", "not xml at all", "", "<other/>", "<request><control><senderid>x</senderid></control></request>"] {
            let root = try await sandbox.postXML(body)
            XCTAssertEqual(root.text("control/status"), "failure", body)
            XCTAssertEqual(root.errorNumbers("errormessage"), ["XL03000003"], body)
        }
    }

    func testGetAPISessionReturnsASessionAndOwnEndpointThenAQueryUsesIt() async throws {
        let root = try await sandbox.postXML(SandboxHarness.envelope(auth: SandboxHarness.login,
                                                                     functions: SandboxHarness.function("<getAPISession/>", id: "sess")))
        XCTAssertEqual(root.text("control/status"), "success")
        XCTAssertEqual(root.text("operation/authentication/status"), "success")
        XCTAssertFalse(root.text("operation/authentication/sessiontimeout").isEmpty)
        XCTAssertEqual(root.text("operation/result/function"), "getAPISession")
        XCTAssertEqual(root.text("operation/result/controlid"), "sess")
        XCTAssertEqual(root.text("operation/result/data/api/endpoint"), sandbox.server.gatewayURL.absoluteString)
        let session = root.text("operation/result/data/api/sessionid")

        let data = try await sandbox.query(session: session, object: "GLACCOUNT", fields: ["RECORDNO", "ACCOUNTNO", "TITLE"], pageSize: 5)
        XCTAssertEqual(data.attr("listtype"), "GLACCOUNT")
        XCTAssertEqual(data.attr("totalcount"), "30")
        XCTAssertEqual(data.attr("count"), "5")
        XCTAssertEqual(data.attr("numremaining"), "25")
        XCTAssertEqual(data.childElements.first?.name, "GLACCOUNT")
        XCTAssertEqual(Set(data.rows[0].keys), ["RECORDNO", "ACCOUNTNO", "TITLE"])
    }

    func testAnUnknownSessionFailsAuthenticationWithXL03000006() async throws {
        let xml = SandboxHarness.envelope(auth: "<sessionid>no-such-session</sessionid>",
                                          functions: SandboxHarness.function("<query><object>VENDOR</object><select><field>RECORDNO</field></select></query>"))
        let root = try await sandbox.postXML(xml)
        XCTAssertEqual(root.text("control/status"), "success")
        XCTAssertEqual(root.text("operation/authentication/status"), "failure")
        XCTAssertEqual(root.errorNumbers("operation/errormessage"), ["XL03000006"])
        XCTAssertNil(root.element("operation/result"))
    }

    func testBadLoginCredentialsFailAuthentication() async throws {
        let login = "<login><userid>api_user</userid><companyid>DEMO</companyid><password>nope</password></login>"
        let root = try await sandbox.postXML(SandboxHarness.envelope(auth: login, functions: SandboxHarness.function("<getAPISession/>")))
        XCTAssertEqual(root.text("operation/authentication/status"), "failure")
        XCTAssertEqual(root.errorNumbers("operation/errormessage"), ["XL03000006"])
    }

    func testSessionsExpireAfterTheIdleTimeoutWhichEachCallSlides() async throws {
        let session = try await sandbox.session()
        let call = SandboxHarness.envelope(auth: "<sessionid>\(session)</sessionid>",
                                           functions: SandboxHarness.function("<query><object>CLASS</object><select><field>RECORDNO</field></select></query>"))
        sandbox.server.advanceClock(seconds: 50 * 60)
        var root = try await sandbox.postXML(call)
        XCTAssertEqual(root.text("operation/authentication/status"), "success", "50 idle minutes of 60")
        XCTAssertEqual(root.text("operation/authentication/sessiontimeout"), "2026-01-31T13:50:00+00:00")
        sandbox.server.advanceClock(seconds: 50 * 60)
        root = try await sandbox.postXML(call)
        XCTAssertEqual(root.text("operation/authentication/status"), "success", "the previous call slid the timeout")
        sandbox.server.advanceClock(seconds: 61 * 60)
        root = try await sandbox.postXML(call)
        XCTAssertEqual(root.text("operation/authentication/status"), "failure", "61 idle minutes")
        XCTAssertEqual(root.errorNumbers("operation/errormessage"), ["XL03000006"])
    }

    func testResultsComeOnePerFunctionInRequestOrderAndUnknownObjectsFailAlone() async throws {
        let session = try await sandbox.session()
        let functions = SandboxHarness.function("<query><object>VENDOR</object><select><field>RECORDNO</field></select><pagesize>1</pagesize></query>", id: "a")
            + SandboxHarness.function("<query><select><field>X</field></select><object>NOSUCHOBJECT</object></query>", id: "b")
            + SandboxHarness.function("<query><object>DEPARTMENT</object><select><field>NOPE</field></select></query>", id: "c")
            + SandboxHarness.function("<query><object>GLENTRY</object><select><field>RECORDNO</field></select><pagesize>2001</pagesize></query>", id: "d")
            + SandboxHarness.function("<readByQuery><object>VENDOR</object><fields>*</fields><query></query><pagesize>1001</pagesize></readByQuery>", id: "e")
        let root = try await sandbox.postXML(SandboxHarness.envelope(auth: "<sessionid>\(session)</sessionid>", functions: functions))
        let results = root.element("operation")!.childElements.filter { $0.name == "result" }
        XCTAssertEqual(results.map { $0.text("controlid") }, ["a", "b", "c", "d", "e"])
        XCTAssertEqual(results.map { $0.text("status") }, ["success", "failure", "failure", "failure", "failure"])
        XCTAssertEqual(results[1].errorNumbers("errormessage"), ["BL01001973"])
        XCTAssertTrue(results[1].text("errormessage/error/description2").contains("NOSUCHOBJECT"))
    }

    func testATransactionWithAFailureIsAbortedWithXL03000009() async throws {
        let session = try await sandbox.session()
        let functions = SandboxHarness.function("<query><object>VENDOR</object><select><field>RECORDNO</field></select></query>", id: "ok")
            + SandboxHarness.function("<query><object>NOSUCHOBJECT</object><select><field>X</field></select></query>", id: "bad")
        let root = try await sandbox.postXML(SandboxHarness.envelope(auth: "<sessionid>\(session)</sessionid>", functions: functions, transaction: true))
        let results = root.element("operation")!.childElements.filter { $0.name == "result" }
        XCTAssertEqual(results.map { $0.text("status") }, ["aborted", "aborted"])
        XCTAssertEqual(results[1].errorNumbers("errormessage"), ["BL01001973", "XL03000009"])
        XCTAssertNil(results[0].element("data"))
    }

    func testLookupListsFieldsWithDataTypes() async throws {
        let session = try await sandbox.session()
        let root = try await sandbox.postXML(SandboxHarness.envelope(auth: "<sessionid>\(session)</sessionid>",
                                                                     functions: SandboxHarness.function("<lookup><object>APBILL</object></lookup>")))
        let fields = root.element("operation/result/data/Type/Fields")!.childElements
        XCTAssertEqual(fields.first { $0.text("ID") == "TOTALDUE" }?.text("DATATYPE"), "DECIMAL")
        XCTAssertEqual(fields.first { $0.text("ID") == "WHENMODIFIED" }?.text("DATATYPE"), "TIMESTAMP")
    }

    func testAdminHealthAndClockAnswerJSON() async throws {
        let health = try await sandbox.adminJSON("GET", "/admin/health")
        XCTAssertEqual(health["status"] as? String, "ok")
        let clock = try await sandbox.adminJSON("POST", "/admin/clock", json: #"{"advance_seconds":3600}"#)
        XCTAssertEqual(clock["now"] as? String, "01/31/2026 13:00:00")
        let bad = try await sandbox.admin("POST", "/admin/mutate", json: "{nonsense")
        XCTAssertEqual(bad.status, 400)
    }
}
