import Foundation
import Shared
import XCTest
@testable import Loader

final class EnvelopeReaderTests: XCTestCase {
    func testTheFastReaderAgreesWithTheSharedDecoderOnEscapesUnicodeAndOrder() throws {
        let envelope = sampleEnvelope(recordNo: "7", fields: [
            ("DESCRIPTION", "quote \" backslash \\ slash / tab \t newline \n control \u{01} é 日本 🙂"),
            ("RECORDNO", "7"), ("AMOUNT", "12.50"), ("EMPTY", ""),
        ])
        let encoded = envelope.encoded()
        XCTAssertEqual(try EnvelopeReader.decode(encoded), try RecordEnvelope.decode(encoded))
        // JSON written by another producer: whitespace, \u escapes (a surrogate pair), other member order.
        let foreign = """
            { "fields" : { "RECORDNO" : "7", "NAME" : "caf\\u00e9 \\ud83d\\ude42" }, "company":"demo","entity":"E100",
              "object":"APBILL","recordno":"7","whenmodified":"2026-01-31T12:00:00Z","extracted_at":"2026-01-31T12:05:00Z",
              "content_sha256":"\(RecordEnvelope.contentHash(of: [RecordField(name: "NAME", value: "café 🙂"), RecordField(name: "RECORDNO", value: "7")]))" }
            """
        let fast = try EnvelopeReader.decode(Data(foreign.utf8))
        XCTAssertEqual(fast, try RecordEnvelope.decode(Data(foreign.utf8)))
        XCTAssertEqual(fast[field: "NAME"], "café 🙂")
    }

    func testAnythingUnusualGetsTheSharedDecodersError() {
        let tampered = String(decoding: sampleEnvelope(recordNo: "1", fields: [("RECORDNO", "1")]).encoded(), as: UTF8.self)
            .replacingOccurrences(of: "\"RECORDNO\":\"1\"", with: "\"RECORDNO\":\"2\"")
        XCTAssertThrowsError(try EnvelopeReader.decode(Data(tampered.utf8))) { error in
            guard case RecordEnvelopeError.hashMismatch = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try EnvelopeReader.decode(Data(#"{"company":"demo","fields":{"A":1}}"#.utf8))) { error in
            XCTAssertEqual(error as? RecordEnvelopeError, .fieldNotString("A"))
        }
        XCTAssertThrowsError(try EnvelopeReader.decode(Data("{not json".utf8)))
        XCTAssertThrowsError(try EnvelopeReader.decode(Data([0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x22, 0x22, 0x7D])))
    }
}
