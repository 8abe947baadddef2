import Foundation
import XCTest
@testable import RecordContract
import Catalog

final class EnvelopeReaderTests: XCTestCase {
    func testTheReaderRoundTripsEscapesUnicodeAndSortsFields() throws {
        let envelope = sampleEnvelope(recordNo: "7", fields: [
            ("DESCRIPTION", "quote \" backslash \\ slash / tab \t newline \n control \u{01} é 日本 🙂"),
            ("RECORDNO", "7"), ("AMOUNT", "12.50"), ("EMPTY", ""),
        ])
        var sorted = envelope
        sorted.fields.sort { $0.name < $1.name }
        XCTAssertEqual(try RecordEnvelope.decode(envelope.encoded()), sorted)
        // JSON written by another producer: whitespace, \u escapes (a surrogate pair), other member order.
        let foreign = """
            { "fields" : { "RECORDNO" : "7", "NAME" : "caf\\u00e9 \\ud83d\\ude42" }, "company":"demo","entity":"E100",
              "object":"APBILL","recordno":"7","whenmodified":"2026-01-31T12:00:00Z","extracted_at":"2026-01-31T12:05:00Z",
              "content_sha256":"\(RecordEnvelope.contentHash(of: [RecordField(name: "NAME", value: "café 🙂"), RecordField(name: "RECORDNO", value: "7")]))" }
            """
        let decoded = try RecordEnvelope.decode(Data(foreign.utf8))
        XCTAssertEqual(decoded.key.description, "demo/E100/APBILL/7")
        XCTAssertEqual(decoded[field: "NAME"], "café 🙂")
    }

    func testEveryJSONEscapeIsRead() throws {
        let escaped = #"q\" b\\ s\/ \b\f\n\r\t nul\u0000 e\u00E9 cjk\u65e5 pair\uD83D\ude42 raw日🙂"#
        let expected = "q\" b\\ s/ \u{08}\u{0C}\n\r\t nul\u{00} e\u{E9} cjk\u{65E5} pair🙂 raw日🙂"
        let decoded = try RecordEnvelope.decode(Data(envelopeText(fields: #""A":"\#(escaped)""#, hashOf: [("A", expected)]).utf8))
        XCTAssertEqual(decoded[field: "A"], expected)
    }

    func testTheReadersHashCheckOrdersNonASCIIFieldNamesAsTheEncodersHashDoes() throws {
        let envelope = sampleEnvelope(recordNo: "1", fields: [("ÉTAT", "x"), ("ZONE", "y"), ("Ärger", "z"), ("ab", "w"), ("日付", "v")])
        let read = try EnvelopeReader.read(envelope.encoded())
        XCTAssertEqual(read.contentSHA256, envelope.contentSHA256)
        XCTAssertEqual(RecordEnvelope.contentHash(of: read.fields, inOrder: read.fields.indices), RecordEnvelope.contentHash(of: envelope.fields))
        let tampered = Data(String(decoding: envelope.encoded(), as: UTF8.self).replacingOccurrences(of: "\"v\"", with: "\"V\"").utf8)
        XCTAssertThrowsError(try EnvelopeReader.read(tampered)) { error in
            guard case RecordEnvelopeError.hashMismatch = error else { return XCTFail("\(error)") }
        }
    }

    func testNamesThatAreTheSameStringAreOneNameTwiceWhateverTheirBytes() {
        // "É" precomposed and as E + combining acute: different bytes, the same `String`. The hash sorts
        // and compares names as strings, so the reader refuses them as a name given twice.
        let twice = envelopeText(fields: #""\u00c9":"1","E\u0301":"2""#, hashOf: [("\u{C9}", "1"), ("E\u{301}", "2")])
        XCTAssertThrowsError(try RecordEnvelope.decode(Data(twice.utf8))) { error in
            XCTAssertTrue("\(error)".contains("appears twice"), "\(error)")
        }
        // ASCII names differing only in bytes are two names, in byte order.
        let two = envelopeText(fields: #""b":"1","B":"2","a\u0000":"3","a":"4""#, hashOf: [("b", "1"), ("B", "2"), ("a\u{0}", "3"), ("a", "4")])
        XCTAssertEqual(try RecordEnvelope.decode(Data(two.utf8)).fields.map(\.name), ["B", "a", "a\u{0}", "b"])
    }

    func testTheScannerHandsOverTheBytesDecodeMakesItsStringsFrom() throws {
        var scanner = EnvelopeScanner()
        let envelope = sampleEnvelope(recordNo: "7", fields: [("NAME", "caf\u{E9} \"q\""), ("RECORDNO", "7"), ("AMOUNT", "")])
        let again = sampleEnvelope(recordNo: "8", fields: [("NAME", "n"), ("RECORDNO", "8"), ("AMOUNT", "1")])
        var layouts: [FieldLayout] = []
        for envelope in [envelope, again] {
            try scanner.read(envelope.encoded()) { bytes in
                XCTAssertEqual(EnvelopeBytes.string(bytes.recordNo), envelope.recordNo)
                XCTAssertEqual(EnvelopeBytes.string(bytes.contentSHA256), envelope.contentSHA256)
                XCTAssertEqual((0..<bytes.fieldCount).map { EnvelopeBytes.string(bytes.name($0)) }, ["AMOUNT", "NAME", "RECORDNO"])
                XCTAssertEqual((0..<bytes.fieldCount).map { EnvelopeBytes.string(bytes.value($0)) },
                               envelope.fields.sorted { $0.name < $1.name }.map(\.value))
                layouts.append(bytes.layout)
            }
        }
        XCTAssertTrue(layouts[0] === layouts[1], "the same field list keeps its layout")
    }

    func testMembersTheLoaderDoesNotKnowAreSkippedWhateverTheirValue() throws {
        let extra = #""schema_version":2,"source":{"poller":"p-1","tags":[1,-2.5e-3,0.0,1E+9,true,false,null,"x",[],{}]},"note":null"#
        let text = envelopeText(fields: #""A":"1""#, hashOf: [("A", "1")], extra: extra)
        XCTAssertEqual(try RecordEnvelope.decode(Data(text.utf8))[field: "A"], "1")
    }

    func testRandomEnvelopesSurviveTheRoundTrip() throws {
        var generator = SeededGenerator(seed: 0x1BADB002)
        let alphabet: [Unicode.Scalar] = ["\"", "\\", "/", "\n", "\r", "\t", "\u{00}", "\u{01}", "\u{1F}", "\u{7F}", "a", "Z", "0", " ",
                                          "é", "ß", "\u{2028}", "日", "\u{FFFD}", "\u{FEFF}", "🙂", "\u{10FFFF}"]
        for round in 0..<300 {
            let count = Int.random(in: 0...12, using: &generator)
            let fields = (0..<count).map { index -> (String, String) in
                let length = Int.random(in: 0...24, using: &generator)
                var value = String.UnicodeScalarView()
                for _ in 0..<length { value.append(alphabet.randomElement(using: &generator)!) }
                return ("F\(index)", String(value))
            }
            let envelope = sampleEnvelope(recordNo: "\(round)", fields: fields)
            let decoded = try RecordEnvelope.decode(envelope.encoded())
            XCTAssertEqual(decoded.fields, envelope.fields.sorted { $0.name < $1.name }, "round \(round)")
            XCTAssertEqual(decoded.contentSHA256, envelope.contentSHA256)
            // The reader hashes the fields as it sorted them; that must agree with the encoder's hash,
            // which works out the order itself.
            XCTAssertEqual(decoded.key, envelope.key)
            XCTAssertEqual(RecordEnvelope.contentHash(of: decoded.fields, inOrder: decoded.fields.indices), envelope.contentSHA256)
        }
    }

    func testARunDecodedWithOneFieldOrderReadsAsEachEnvelopeDecodedAlone() throws {
        let a = sampleEnvelope(recordNo: "1", fields: [("RECORDNO", "1"), ("AMOUNT", "1.00"), ("DESCRIPTION", "x")])
        let b = sampleEnvelope(recordNo: "2", fields: [("RECORDNO", "2"), ("AMOUNT", "2.00"), ("DESCRIPTION", "y")])
        let reordered = sampleEnvelope(recordNo: "3", fields: [("AMOUNT", "3.00"), ("RECORDNO", "3"), ("DESCRIPTION", "z")])
        let fewer = sampleEnvelope(recordNo: "4", fields: [("RECORDNO", "4")])
        var scanner = EnvelopeScanner()
        for envelope in [a, b, reordered, a, fewer, b] {
            XCTAssertEqual(try RecordEnvelope.decode(envelope.encoded(), using: &scanner), try RecordEnvelope.decode(envelope.encoded()))
        }
        // A field named twice is refused even right after a list of the same length was read.
        let twice = envelopeText(fields: #""RECORDNO":"5","RECORDNO":"5","DESCRIPTION":"d""#,
                                 hashOf: [("DESCRIPTION", "d"), ("RECORDNO", "5"), ("RECORDNO", "5")])
        _ = try RecordEnvelope.decode(a.encoded(), using: &scanner)
        XCTAssertThrowsError(try RecordEnvelope.decode(Data(twice.utf8), using: &scanner)) { error in
            XCTAssertTrue("\(error)".contains("appears twice"), "\(error)")
        }
        XCTAssertEqual(try RecordEnvelope.decode(b.encoded(), using: &scanner), try RecordEnvelope.decode(b.encoded()))
    }

    func testMalformedInputIsRefusedWithAnErrorSayingWhatAndWhere() {
        let good = envelopeText(fields: #""A":"1""#, hashOf: [("A", "1")])
        let cases: [(String, [UInt8], String)] = [
            ("empty", [], "empty value"),
            ("array", Array("[1]".utf8), "top level is not an object"),
            ("truncated", Array(good.utf8.dropLast()), "',' or '}' after a member expected"),
            ("trailing data", Array((good + " x").utf8), "data after the envelope at byte \(good.utf8.count + 1)"),
            ("unterminated string", Array(#"{"company":"demo"#.utf8), "unterminated string at byte 11"),
            ("unknown escape", Array(#"{"company":"a\x"}"#.utf8), #"invalid escape \x at byte 13"#),
            ("short \\u", Array(#"{"company":"\u12"}"#.utf8), "\\u needs four hex digits"),
            ("lone high surrogate", Array(#"{"company":"\ud800x"}"#.utf8), "lone UTF-16 surrogate \\ud800"),
            ("lone low surrogate", Array(#"{"company":"\udc00"}"#.utf8), "lone UTF-16 surrogate \\udc00"),
            ("high then not low", Array(#"{"company":"\ud800\u0041"}"#.utf8), "followed by \\u41"),
            ("raw control character", Array("{\"company\":\"a\u{01}b\"}".utf8), "control character 0x01 inside a string"),
            ("invalid UTF-8 byte", [0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x22, 0x22, 0x7D], "invalid UTF-8 (0xFF)"),
            ("overlong encoding", Array(#"{"company":""#.utf8) + [0xC0, 0xAF] + Array(#""}"#.utf8), "invalid UTF-8 (0xC0)"),
            ("UTF-8 surrogate", Array(#"{"company":""#.utf8) + [0xED, 0xA0, 0x80] + Array(#""}"#.utf8), "invalid UTF-8 (0xED)"),
            ("beyond U+10FFFF", Array(#"{"company":""#.utf8) + [0xF4, 0x90, 0x80, 0x80] + Array(#""}"#.utf8), "invalid UTF-8 (0xF4)"),
            ("truncated sequence", Array(#"{"company":""#.utf8) + [0xE6, 0x97] + Array(#""}"#.utf8), "invalid UTF-8"),
            ("invalid UTF-8 after an escape", Array(#"{"company":"\n"#.utf8) + [0xFE] + Array(#""}"#.utf8), "invalid UTF-8 (0xFE)"),
            ("duplicate member", Array(#"{"company":"a","company":"b"}"#.utf8), "member \"company\" appears twice"),
            ("duplicate field", Array(envelopeText(fields: #""A":"1","A":"2""#, hashOf: [("A", "1")]).utf8), "field \"A\" appears twice"),
            ("leading zero", Array(#"{"x":01}"#.utf8), "',' or '}' after a member expected at byte 6"),
            ("bare minus", Array(#"{"x":-}"#.utf8), "a digit expected in a number"),
            ("bad literal", Array(#"{"x":tru}"#.utf8), "a value expected"),
            ("too deep", Array(("{\"x\":" + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "}").utf8), "nested deeper than 64"),
        ]
        for (name, bytes, expected) in cases {
            XCTAssertThrowsError(try RecordEnvelope.decode(Data(bytes)), name) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(name): \(error)")
            }
        }
    }

    func testEveryByteThatEndsAPlainRunIsSeenWhereverItFallsInAWord() throws {
        // Strings are skipped eight bytes at a time while plain: each byte that is not, at every offset
        // of a word (and in a short tail), must still be read as itself.
        for offset in 0..<20 {
            let before = String(repeating: "a", count: offset), after = String(repeating: "b", count: 19 - offset)
            for (raw, value) in [("\\\"", "\""), ("\\\\", "\\"), ("\\n", "\n"), ("é", "é"), ("\u{7F}", "\u{7F}"), (" ", " "), ("~", "~")] {
                let decoded = try RecordEnvelope.decode(Data(envelopeText(fields: #""A":"\#(before + raw + after)""#,
                                                                         hashOf: [("A", before + value + after)]).utf8))
                XCTAssertEqual(decoded[field: "A"], before + value + after, "\(raw) at \(offset)")
            }
            for bad: UInt8 in [0x00, 0x01, 0x1F, 0xFF] {
                let text = Array(envelopeText(fields: #""A":"\#(before)X\#(after)""#, hashOf: []).utf8)
                let bytes = text.map { $0 == UInt8(ascii: "X") ? bad : $0 }
                XCTAssertThrowsError(try RecordEnvelope.decode(Data(bytes)), "\(bad) at \(offset)") { error in
                    XCTAssertTrue("\(error)".contains(bad < 0x20 ? "control character" : "invalid UTF-8"), "\(bad) at \(offset): \(error)")
                }
            }
            // A quote ends the string where it falls.
            let ended = envelopeText(fields: #""A":"\#(before)","B":"\#(after)""#, hashOf: [("A", before), ("B", after)])
            XCTAssertEqual(try RecordEnvelope.decode(Data(ended.utf8))[field: "A"], before)
        }
    }

    func testMissingMembersWrongTypesAndATamperedHashAreNamed() {
        let tampered = String(decoding: sampleEnvelope(recordNo: "1", fields: [("RECORDNO", "1")]).encoded(), as: UTF8.self)
            .replacingOccurrences(of: "\"RECORDNO\":\"1\"", with: "\"RECORDNO\":\"2\"")
        XCTAssertThrowsError(try RecordEnvelope.decode(Data(tampered.utf8))) { error in
            guard case RecordEnvelopeError.hashMismatch = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try RecordEnvelope.decode(Data(#"{"company":"demo","fields":{"A":1}}"#.utf8))) { error in
            XCTAssertEqual(error as? RecordEnvelopeError, .fieldNotString("A"))
        }
        XCTAssertThrowsError(try RecordEnvelope.decode(Data(#"{"company":"demo","fields":{}}"#.utf8))) { error in
            XCTAssertEqual(error as? RecordEnvelopeError, .missingMember("entity"))
        }
        XCTAssertThrowsError(try RecordEnvelope.decode(Data(#"{"company":7,"fields":{}}"#.utf8))) { error in
            XCTAssertEqual(error as? RecordEnvelopeError, .missingMember("company"))
        }
        XCTAssertThrowsError(try RecordEnvelope.decode(Data(#"{"company":"demo","fields":[]}"#.utf8))) { error in
            XCTAssertEqual(error as? RecordEnvelopeError, .missingMember("fields"))
        }
    }

    /// An envelope's JSON with `fields` as given (raw JSON members) and the content hash of `hashOf`.
    private func envelopeText(fields: String, hashOf: [(String, String)], extra: String = "") -> String {
        let hash = RecordEnvelope.contentHash(of: hashOf.map { RecordField(name: $0.0, value: $0.1) })
        return #"{"company":"demo","entity":"E100","object":"APBILL","recordno":"1","whenmodified":"2026-01-31T12:00:00Z","#
            + #""extracted_at":"2026-01-31T12:05:00Z","content_sha256":"\#(hash)",\#(extra.isEmpty ? "" : extra + ",")"fields":{\#(fields)}}"#
    }
}

private func sampleEnvelope(recordNo: String, fields: [(String, String)]) -> RecordEnvelope {
    RecordEnvelope(key: RecordKey(company: "demo", entity: "E100", object: "APBILL", recordNo: recordNo),
                   whenModified: "2026-01-31T12:00:00Z", extractedAt: "2026-01-31T12:05:00Z",
                   fields: fields.map { RecordField(name: $0.0, value: $0.1) })
}

/// A small deterministic generator (SplitMix64), so a failing round can be reproduced.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
