import Foundation
import Cryptography
import RecordContract
import XCTest

final class RecordEnvelopeTests: XCTestCase {
    private let key = RecordKey(company: "DEMO", entity: "E100", object: "apbill", recordNo: "42")

    func testTheKeyAndTopicFollowTheWireFormat() {
        XCTAssertEqual(key.description, "DEMO/E100/APBILL/42")
        XCTAssertEqual(RecordKey.prefix(company: "DEMO", entity: "E100", object: "apbill") + "42", key.description)
        XCTAssertEqual(key.topic, "intacct.demo.e100.apbill")
        XCTAssertEqual(RecordKey(parsing: "DEMO/E100/GLDETAIL/3220-55186-27290--accrual")?.recordNo, "3220-55186-27290--accrual")
        XCTAssertNil(RecordKey(parsing: "DEMO/E100/APBILL"))
    }

    func testAnEnvelopeRoundTripsLosslesslyIncludingAwkwardStrings() throws {
        let fields = [
            RecordField(name: "RECORDNO", value: "42"),
            RecordField(name: "DESCRIPTION", value: "Quote \" back\\slash\nnew line \u{1} ctl <&> ünïcödé"),
            RecordField(name: "TOTALENTERED", value: "1234.50"),
            RecordField(name: "WHENPAID", value: ""),
        ]
        let envelope = RecordEnvelope(key: key, whenModified: "2026-01-31T12:00:00Z", extractedAt: "2026-02-01T00:00:00Z", fields: fields)
        let decoded = try RecordEnvelope.decode(envelope.encoded())
        XCTAssertEqual(decoded.key, key)
        XCTAssertEqual(decoded.contentSHA256, envelope.contentSHA256)
        XCTAssertEqual(decoded[field: "DESCRIPTION"], fields[1].value)
        XCTAssertEqual(decoded[field: "WHENPAID"], "")
        XCTAssertEqual(Set(decoded.fields.map(\.name)), Set(fields.map(\.name)))
    }

    func testTheContentHashIgnoresFieldOrderButNotValues() {
        let a = [RecordField(name: "A", value: "1"), RecordField(name: "B", value: "2")]
        XCTAssertEqual(RecordEnvelope.contentHash(of: a), RecordEnvelope.contentHash(of: a.reversed()))
        XCTAssertNotEqual(RecordEnvelope.contentHash(of: a), RecordEnvelope.contentHash(of: [a[0], RecordField(name: "B", value: "3")]))
        // The separator keeps ("AB","") and ("A","B") apart.
        XCTAssertNotEqual(RecordEnvelope.contentHash(of: [RecordField(name: "AB", value: "")]),
                          RecordEnvelope.contentHash(of: [RecordField(name: "A", value: "B")]))
    }

    /// The hash bytes are the contract with every version already on a topic and every `_content_sha256`
    /// in BigQuery: this literal was computed outside Swift (Python's hashlib over `name NUL value NUL`,
    /// sorted by name), so a change to the canonical bytes fails here whatever the code agrees with itself.
    func testTheContentHashBytesAreUnchanged() throws {
        let fields = [RecordField(name: "RECORDNO", value: "42"), RecordField(name: "AMOUNT", value: "12.50"),
                      RecordField(name: "DESCRIPTION", value: "café"), RecordField(name: "WHENPAID", value: "")]
        let pinned = "8578616eaaa7f54f9856c6993270f43773fbeeca9a5b72b1b625b1f7bab56e92"
        XCTAssertEqual(RecordEnvelope.contentHash(of: fields), pinned)
        XCTAssertEqual(RecordEnvelope.contentHash(of: fields, order: CanonicalFieldOrder(fields: fields)), pinned)
        let envelope = RecordEnvelope(key: key, whenModified: "", extractedAt: "", fields: fields)
        XCTAssertEqual(envelope.contentSHA256, pinned)
        XCTAssertEqual(try RecordEnvelope.decode(envelope.encoded()).contentSHA256, pinned, "the reader checks the same bytes")
    }

    func testATamperedOrBrokenEnvelopeIsATypedError() {
        XCTAssertThrowsError(try RecordEnvelope.decode(Data("not json".utf8))) { error in
            guard case .notJSON = error as? RecordEnvelopeError else { return XCTFail("\(error)") }
        }
        var envelope = RecordEnvelope(key: key, whenModified: "", extractedAt: "", fields: [RecordField(name: "X", value: "1")])
        envelope.fields[0].value = "2"
        XCTAssertThrowsError(try RecordEnvelope.decode(envelope.encoded())) { error in
            guard case .hashMismatch = error as? RecordEnvelopeError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try RecordEnvelope.decode(Data(#"{"company":"DEMO"}"#.utf8))) { error in
            XCTAssertEqual(error as? RecordEnvelopeError, .missingMember("fields"))
        }
    }

    func testSHA256MatchesTheKnownVector() {
        XCTAssertEqual(SHA256.hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
