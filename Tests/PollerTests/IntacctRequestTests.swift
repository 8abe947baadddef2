import Foundation
@testable import Poller
import XCTest

final class IntacctRequestTests: XCTestCase {
    private func render(_ function: IntacctFunction, auth: IntacctAuthentication = .session(id: "S1")) throws -> String {
        let request = IntacctRequest(senderID: "demo-sender", senderPassword: "sender-secret", controlID: "c-1",
                                     authentication: auth, calls: [.init(controlID: "f-1", function: function)])
        return String(decoding: try request.xml(), as: UTF8.self)
    }

    func testControlBlockCarriesSenderUniqueIDFalseAndDTD30() throws {
        let xml = try render(.lookup(object: "GLACCOUNT"))
        XCTAssertTrue(xml.hasPrefix(#"<?xml version="1.0" encoding="UTF-8"?><request><control>"#))
        XCTAssertTrue(xml.contains("<senderid>demo-sender</senderid><password>sender-secret</password><controlid>c-1</controlid><uniqueid>false</uniqueid><dtdversion>3.0</dtdversion><includewhitespace>false</includewhitespace></control>"))
        XCTAssertTrue(xml.contains(#"<operation transaction="false"><authentication><sessionid>S1</sessionid></authentication>"#))
        XCTAssertTrue(xml.contains(#"<content><function controlid="f-1"><lookup><object>GLACCOUNT</object></lookup></function></content>"#))
    }

    func testLoginWithLocationAsksForAnEntitySession() throws {
        let xml = try render(.getAPISession(locationID: "E100"),
                             auth: .login(userID: "api_user", companyID: "DEMO", password: "user-secret", locationID: "E100"))
        XCTAssertTrue(xml.contains("<login><userid>api_user</userid><companyid>DEMO</companyid><password>user-secret</password><locationid>E100</locationid></login>"))
        XCTAssertTrue(xml.contains("<getAPISession><locationid>E100</locationid></getAPISession>"))
        XCTAssertTrue(try render(.getAPISession(locationID: nil)).contains("<getAPISession/>"))
    }

    func testTextValuesLoseControlCharactersAndAreEscaped() throws {
        let filter = QueryFilter.equalTo("NAME", "A\u{0001}cme <&> \"Q\" 'x'\u{001F}\t")
        let query = IntacctQuery(object: "VENDOR", fields: ["NAME"], filter: filter)
        let xml = try render(.query(query, pageSize: 100, offset: 0))
        XCTAssertTrue(xml.contains("<value>Acme &lt;&amp;&gt; &quot;Q&quot; &apos;x&apos;\t</value>"), xml)
        XCTAssertFalse(xml.unicodeScalars.contains { $0.value < 0x20 && $0 != "\t" })
        XCTAssertEqual(XMLText.escaped("plain"), "plain")
        XCTAssertEqual(XMLText.removingInvalidCharacters("a\u{0}b\u{B}c\u{FFFE}\n"), "abc\n")
    }

    func testQueryWritesSelectFilterOrderOptionsAndPaging() throws {
        let query = IntacctQuery(object: "GLDETAIL", fields: ["RECORDNO", "WHENMODIFIED"],
                                 filter: .greaterThanOrEqualTo("WHENMODIFIED", "01/01/2024 00:00:00"))
        let xml = try render(.query(query, pageSize: 1000, offset: 2000))
        XCTAssertTrue(xml.contains(
            "<query><object>GLDETAIL</object><select><field>RECORDNO</field><field>WHENMODIFIED</field></select>"
                + "<filter><greaterthanorequalto><field>WHENMODIFIED</field><value>01/01/2024 00:00:00</value></greaterthanorequalto></filter>"
                + "<orderby><order><field>WHENMODIFIED</field><ascending/></order><order><field>RECORDNO</field><ascending/></order></orderby>"
                + "<options><caseinsensitive>false</caseinsensitive><showprivate>true</showprivate></options>"
                + "<pagesize>1000</pagesize><offset>2000</offset></query>"), xml)
    }

    func testReadByQueryAndReadMoreEscapeTheQueryString() throws {
        let xml = try render(.readByQuery(object: "VENDOR", fields: ["RECORDNO", "NAME"], query: "NAME < 'B&C'", pageSize: 500))
        XCTAssertTrue(xml.contains("<readByQuery><object>VENDOR</object><fields>RECORDNO,NAME</fields><query>NAME &lt; &apos;B&amp;C&apos;</query><pagesize>500</pagesize><returnFormat>xml</returnFormat></readByQuery>"), xml)
        XCTAssertTrue(try render(.readMore(resultID: "r<1")).contains("<readMore><resultId>r&lt;1</resultId></readMore>"))
    }

    func testQueryWithoutFieldsIsRejectedBeforeSending() {
        XCTAssertThrowsError(try render(.query(IntacctQuery(object: "VENDOR", fields: []), pageSize: 1, offset: 0)))
    }
}
