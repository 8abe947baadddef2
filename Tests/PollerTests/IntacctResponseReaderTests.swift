import Foundation
@testable import Poller
import HTTP
import RecordContract
import XCTest

final class IntacctResponseReaderTests: XCTestCase {
    private let reader = IntacctResponseReader()

    private func read(_ text: String) throws -> IntacctResponse {
        try reader.read(Data(text.utf8))
    }

    func testQueryRowsKeepOrderAndExactValues() throws {
        let response = try read(IntacctFixtures.queryPage)
        XCTAssertEqual(response.control.status, "success")
        XCTAssertEqual(response.control.controlID, "c-1")
        XCTAssertEqual(response.authentication?.status, "success")
        XCTAssertEqual(response.authentication?.sessionTimeout, "2024-01-05T11:00:00-08:00")
        let result = try XCTUnwrap(response.results.first)
        XCTAssertEqual(result.function, "query")
        XCTAssertEqual(result.data, .init(listType: "GLACCOUNT", count: 2, totalCount: 5, numRemaining: 3, offset: 0, resultID: ""))
        XCTAssertEqual(result.rows.count, 2)
        XCTAssertEqual(result.rows[0].fields, [
            RecordField(name: "RECORDNO", value: "42"), RecordField(name: "TITLE", value: "Cash & equivalents"),
            RecordField(name: "PARENTID", value: ""), RecordField(name: "CATEGORY", value: ""),
            RecordField(name: "WHENMODIFIED", value: "01/12/2024 09:15:02"),
        ])
        XCTAssertEqual(result.rows[1]["TITLE"], "A <b> & c")
        XCTAssertEqual(result.rows[1]["PARENTID"], "  ")
        XCTAssertEqual(IntacctClient.idleTimeout(try XCTUnwrap(response.authentication)), .seconds(3600))
    }

    func testReadByQueryRowsAreLowercaseAndNestedFieldsFlatten() throws {
        let result = try XCTUnwrap(read(IntacctFixtures.readByQueryPage).results.first)
        XCTAssertEqual(result.data?.resultID, "7765DEMOres01")
        XCTAssertEqual(result.data?.numRemaining, 2)
        XCTAssertEqual(result.rows.map(\.fields), [[
            RecordField(name: "RECORDNO", value: "11"), RecordField(name: "NAME", value: "Acme"),
            RecordField(name: "DISPLAYCONTACT.EMAIL1", value: "a@b.c"),
        ]])
    }

    func testRowsCanBeHandedOutOneAtATime() throws {
        var seen: [String] = []
        let response = try reader.read(Data(IntacctFixtures.queryPage.utf8)) { index, row in
            XCTAssertEqual(index, 0)
            seen.append(row["RECORDNO"] ?? "")
        }
        XCTAssertEqual(seen, ["42", "43"])
        XCTAssertEqual(response.results.first?.rows.count, 0)
        XCTAssertEqual(response.results.first?.rowCount, 2)
    }

    /// A page keeps up to 2000 rows alive until they are published: a row that carried the reader's
    /// scratch capacity (64 fields and up) cost four times its size, most of the poller's memory.
    func testRowsKeepNoMoreRoomThanTheirOwnFields() throws {
        let rows = (1...40).map { "<GLACCOUNT><RECORDNO>\($0)</RECORDNO><TITLE>Account \($0)</TITLE><WHENMODIFIED>01/12/2024 09:15:02</WHENMODIFIED></GLACCOUNT>" }
        let body = """
        <?xml version="1.0" encoding="UTF-8"?><response><control><status>success</status></control>\
        <operation><authentication><status>success</status></authentication><result><status>success</status>\
        <function>query</function><controlid>q</controlid>\
        <data listtype="GLACCOUNT" count="40" totalcount="40" numremaining="0">\(rows.joined())</data></result></operation></response>
        """
        let result = try XCTUnwrap(read(body).results.first)
        XCTAssertEqual(result.rows.count, 40)
        for row in result.rows {
            XCTAssertEqual(row.fields.count, 3)
            // malloc may round the block up by a few elements; 64 would be the scratch buffer's.
            XCTAssertLessThanOrEqual(row.fields.capacity, 8, "row \(row["RECORDNO"] ?? "?") keeps room for \(row.fields.capacity) fields")
        }
    }

    func testEmptyDataHasNoRows() throws {
        let result = try XCTUnwrap(read(IntacctFixtures.emptyData).results.first)
        XCTAssertEqual(result.data?.totalCount, 0)
        XCTAssertEqual(result.data?.resultID, "")
        XCTAssertTrue(result.rows.isEmpty)
    }

    func testGetAPISessionReadsSessionEndpointAndLocation() throws {
        let result = try XCTUnwrap(read(IntacctFixtures.getAPISession).results.first)
        XCTAssertEqual(result.api, IntacctAPISession(sessionID: "SeSsIoN-1", endpoint: "https://api.intacct.com/ia/xml/xmlgw.phtml", locationID: "E100"))
        XCTAssertTrue(result.rows.isEmpty)
    }

    func testControlErrorsAreRead() throws {
        let response = try read(IntacctFixtures.controlFailure)
        XCTAssertEqual(response.control.status, "failure")
        XCTAssertNil(response.authentication)
        XCTAssertEqual(response.control.errors, [IntacctErrorDetail(errorNumber: "XL03000006", description2: "Incorrect Intacct XML Partner ID or password.")])
        XCTAssertThrowsError(try IntacctGateway.interpret(HTTPResponse(status: 200, body: Data(IntacctFixtures.controlFailure.utf8)))) { error in
            guard case let IntacctError.controlFailed(controlID, errors) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(controlID, "c-9")
            XCTAssertEqual(errors.first?.errorNumber, "XL03000006")
            XCTAssertFalse((error as! IntacctError).isRetryable)
        }
    }

    func testAuthenticationErrorsAreReadAtOperationLevel() throws {
        let response = try read(IntacctFixtures.authenticationFailure)
        XCTAssertEqual(response.authentication?.status, "failure")
        XCTAssertEqual(response.authentication?.errors.map(\.description2), ["Invalid session"])
        XCTAssertTrue(response.results.isEmpty)
    }

    func testResultErrorsKeepEveryErrorAndDecodeTheSupportID() throws {
        let response = try read(IntacctFixtures.resultFailureAndAborted)
        XCTAssertEqual(response.results.map(\.status), ["failure", "aborted", "success"])
        let failure = response.results[0]
        XCTAssertEqual(failure.errors.map(\.errorNumber), ["BL01001973", "XL03000009"])
        XCTAssertEqual(failure.errors[0].description2, "Object definition FOO not found. [Support ID: abc~xyz]")
        XCTAssertEqual(failure.errors[0].correction, "Check the object name.")
        XCTAssertEqual(response.results[1].errors.map(\.errorNumber), ["XL03000009"])
        let fields = response.results[2].rows.map(IntacctFieldDefinition.init(row:))
        XCTAssertEqual(fields.map(\.id), ["RECORDNO", "WHENMODIFIED"])
        XCTAssertEqual(fields.map(\.dataType), ["INTEGER", "TIMESTAMP"])
        let error = IntacctError.resultFailed(status: "failure", function: "query", controlID: "f-1", object: "FOO", errors: failure.errors)
        XCTAssertEqual(error.description, "Intacct query on FOO failure (control id f-1): BL01001973: Could not read record — Object definition FOO not found. [Support ID: abc~xyz] (Check the object name.); XL03000009: The entire transaction in this operation has been rolled back due to an error.")
    }

    func testControlCharactersInAResponseAreRemovedAndCounted() throws {
        let dirty = IntacctFixtures.queryPage
            .replacingOccurrences(of: "Cash &amp;", with: "Ca\u{0001}sh&#x1; &#2;&amp;&#x9;")
            .replacingOccurrences(of: "<CATEGORY>x</CATEGORY>", with: "<CATEGORY>x\u{001B}&#0;&#65;</CATEGORY>")
        let response = try read(dirty)
        XCTAssertEqual(response.sanitizedCharacters, 5)
        XCTAssertEqual(response.results[0].rows[0]["TITLE"], "Cash &\t equivalents")
        XCTAssertEqual(response.results[0].rows[1]["CATEGORY"], "xA")
    }

    func testSanitiserHandlesReferencesSplitAcrossChunks() {
        let input = Array("a&#x1;b&amp;c&#\u{0002}x;\u{0003}&#65;&".utf8)
        for split in 0...input.count {
            var sanitizer = XMLSanitizer()
            var out: [UInt8] = []
            input[..<split].withUnsafeBytes { sanitizer.process($0, into: &out) }
            input[split...].withUnsafeBytes { sanitizer.process($0, into: &out) }
            sanitizer.finish(into: &out)
            XCTAssertEqual(String(decoding: out, as: UTF8.self), "ab&amp;c&#x;&#65;&", "split at \(split)")
            XCTAssertEqual(sanitizer.removed, 3, "split at \(split)")
        }
    }

    func testAReferenceWhoseAmpersandEndsAnEightByteWordIsStillRemoved() {
        // The clean-check reads eight bytes at a time; "&" and "#" on either side of a word boundary
        // once let `&#x1;` through to libxml2, which then rejected the whole page.
        for padding in 0..<16 {
            let text = String(repeating: "a", count: padding) + "&#x1;bcdefghijklmnop&#65;"
            var sanitizer = XMLSanitizer()
            var clean = [UInt8]()
            Array(text.utf8).withUnsafeBytes { sanitizer.process($0, into: &clean) }
            sanitizer.finish(into: &clean)
            let removed = sanitizer.removed
            XCTAssertEqual(String(decoding: clean, as: UTF8.self), String(repeating: "a", count: padding) + "bcdefghijklmnop&#65;", "padding \(padding)")
            XCTAssertEqual(removed, 1, "padding \(padding)")
        }
    }

    func testTruncatedOrGarbageXMLIsATypedErrorNotACrash() {
        let full = IntacctFixtures.queryPage
        for cut in stride(from: 0, to: full.utf8.count, by: 37) {
            let body = Data(full.utf8.prefix(cut))
            XCTAssertThrowsError(try IntacctGateway.interpret(HTTPResponse(status: 200, body: body)), "cut at \(cut)") { error in
                guard case IntacctError.malformedResponse = error else { return XCTFail("cut at \(cut): \(error)") }
            }
        }
        for garbage in ["not xml", "<response><control><status>success", "<other/>", "\u{FEFF}<<<", "<response><control></control></response>"] {
            XCTAssertThrowsError(try IntacctGateway.interpret(HTTPResponse(status: 200, body: Data(garbage.utf8)))) { error in
                XCTAssertTrue(error is IntacctError, "\(error)")
            }
        }
    }

    func testStreamingFromASourceGivesTheSameRows() throws {
        let bytes = Array(IntacctFixtures.queryPage.replacingOccurrences(of: "Cash", with: "C\u{0001}ash").utf8)
        var position = 0
        var rows: [IntacctRow] = []
        let response = try reader.read(streaming: { buffer in
            let count = min(7, bytes.count - position, buffer.count)
            bytes[position..<position + count].withUnsafeBytes { buffer.copyMemory(from: $0) }
            position += count
            return count
        }, rowHandler: { _, row in rows.append(row) })
        XCTAssertEqual(rows, try read(IntacctFixtures.queryPage).results[0].rows)
        XCTAssertEqual(response.sanitizedCharacters, 1)
    }
}
