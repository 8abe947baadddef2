import Foundation
@testable import Poller
import HTTP
import RecordContract
import XCTest

/// The reader hands libxml2 clean chunks as they are and copies only chunks with something to remove;
/// these pin down that a chunk boundary anywhere (inside a reference, a control byte, a multi-byte
/// character, an empty element, an entity) changes nothing.
final class IntacctResponseChunkingTests: XCTestCase {
    private let reader = IntacctResponseReader()

    /// A one-row query page whose row is `fields` (raw XML inside `<GLDETAIL>`).
    private func page(_ fields: String) -> String {
        IntacctFixtures.envelope(#"<result><status>success</status><function>query</function><controlid>f-1</controlid><data listtype="GLDETAIL" count="1">"#
            + "<GLDETAIL>\(fields)</GLDETAIL></data></result>")
    }

    /// Streams `bytes` in two chunks split at `split`.
    private func readSplit(_ bytes: [UInt8], at split: Int) throws -> IntacctResponse {
        var chunks = [Array(bytes[..<split]), Array(bytes[split...])]
        return try reader.read(streaming: { buffer in
            while let first = chunks.first, first.isEmpty { chunks.removeFirst() }
            guard !chunks.isEmpty else { return 0 }
            let count = min(buffer.count, chunks[0].count)
            chunks[0].withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[..<count])) }
            chunks[0].removeFirst(count)
            return count
        })
    }

    private func assertEverySplitReads(_ text: String, as expected: [RecordField], removed: Int,
                                       file: StaticString = #filePath, line: UInt = #line) throws {
        let whole = try reader.read(Data(text.utf8))
        XCTAssertEqual(whole.results.first?.rows.first?.fields, expected, "in memory", file: file, line: line)
        XCTAssertEqual(whole.sanitizedCharacters, removed, "in memory", file: file, line: line)
        let bytes = Array(text.utf8)
        for split in 0...bytes.count {
            let response = try readSplit(bytes, at: split)
            XCTAssertEqual(response.results.first?.rows.first?.fields, expected, "split at \(split)", file: file, line: line)
            XCTAssertEqual(response.sanitizedCharacters, removed, "split at \(split)", file: file, line: line)
        }
    }

    func testControlCharactersAndReferencesSplitAcrossChunksAreRemovedTheSame() throws {
        try assertEverySplitReads(page("<A>a\u{0001}b&#x1;c&#0;d&#65;&amp;&#x9;e</A><B>\u{001F}&#31;</B><C>&&#x2;amp;</C>"), as: [
            RecordField(name: "A", value: "abcdA&\te"), RecordField(name: "B", value: ""), RecordField(name: "C", value: "&"),
        ], removed: 6)
    }

    func testMultiByteCharactersSplitAcrossChunksArriveWhole() throws {
        try assertEverySplitReads(page("<NAME>Café – 東京 😀</NAME><MEMO>&#x1F600;&#233;</MEMO>"), as: [
            RecordField(name: "NAME", value: "Café – 東京 😀"), RecordField(name: "MEMO", value: "😀é"),
        ], removed: 0)
    }

    func testEmptyElementsInEitherFormAreEmptyStrings() throws {
        try assertEverySplitReads(page("<A/><B></B><C> </C><D><![CDATA[]]></D><E>x</E>"), as: [
            RecordField(name: "A", value: ""), RecordField(name: "B", value: ""), RecordField(name: "C", value: " "),
            RecordField(name: "D", value: ""), RecordField(name: "E", value: "x"),
        ], removed: 0)
    }

    func testPredefinedEntitiesAndCDATAKeepTheTextExactlyAsSent() throws {
        try assertEverySplitReads(page("<A>&lt;b&gt; &amp; &quot;q&quot; &apos;s&apos;</A><B><![CDATA[<x> & ]]>&amp;<![CDATA[y]]></B>"), as: [
            RecordField(name: "A", value: "<b> & \"q\" 's'"), RecordField(name: "B", value: "<x> & &y"),
        ], removed: 0)
    }

    func testRowNamesMatchTheListTypeInAnyCaseRowAfterRow() throws {
        let text = IntacctFixtures.envelope(#"<result><status>success</status><function>query</function><controlid>f-1</controlid><data listtype="GLDETAIL" count="3">"#
            + "<gldetail><A>1</A></gldetail><GLDetail><A>2</A></GLDetail><gldetail><A>3</A></gldetail><other><A>4</A></other></data></result>")
        let rows = try reader.read(Data(text.utf8)).results[0].rows
        XCTAssertEqual(rows.map { $0["A"] }, ["1", "2", "3"])
    }

    func testDirtyBytesAtTheInMemorySliceBoundaryAreRemoved() throws {
        // A body in memory is fed in slices whose boundaries include every MiB: enough rows to pass the
        // first MiB, then a reference whose "&#" ends a slice and whose "x1;" starts the next, and a
        // control byte.
        let head = page("")
        let rowSlot = head.range(of: "<GLDETAIL></GLDETAIL>")!
        var body = String(head[..<rowSlot.lowerBound])
        var rows = 0
        while body.utf8.count < (1 << 20) - 100 {
            body += "<GLDETAIL><A>\(rows)</A></GLDETAIL>"
            rows += 1
        }
        let dirtyRow = "<GLDETAIL><A>x&#x1;\u{0002}y</A></GLDETAIL>"
        body += String(repeating: " ", count: (1 << 20) - 2 - "<GLDETAIL><A>x".utf8.count - body.utf8.count)
        body += dirtyRow + head[rowSlot.upperBound...]
        let response = try reader.read(Data(body.utf8))
        XCTAssertEqual(response.results[0].rows.count, rows + 1)
        XCTAssertEqual(response.results[0].rows.last?["A"], "xy")
        XCTAssertEqual(response.sanitizedCharacters, 2)
    }

    func testAnErrorThrownByTheRowHandlerStopsTheParseAndComesOutUnchanged() {
        struct Stop: Error, Equatable {}
        var seen = 0
        XCTAssertThrowsError(try reader.read(Data(IntacctFixtures.queryPage.utf8)) { _, _ in
            seen += 1
            throw Stop()
        }) { error in
            XCTAssertEqual(error as? Stop, Stop())
        }
        XCTAssertEqual(seen, 1)
    }

    func testASourceReadErrorIsAMalformedResponse() {
        var calls = 0
        XCTAssertThrowsError(try reader.read(streaming: { buffer in
            calls += 1
            guard calls == 1 else { return -1 }
            let prefix = Array(IntacctFixtures.queryPage.utf8.prefix(100))
            prefix.withUnsafeBytes { buffer.copyMemory(from: $0) }
            return prefix.count
        })) { error in
            guard case XMLStreamError.malformed = error else { return XCTFail("\(error)") }
        }
    }

    func testEntitiesDeclaredInADocumentAreNeverExpanded() {
        let body = #"<?xml version="1.0"?><!DOCTYPE response [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY file SYSTEM "file:///etc/passwd">]>"#
            + "<response><control><status>&b;&file;</status></control></response>"
        XCTAssertThrowsError(try IntacctGateway.interpret(HTTPResponse(status: 200, body: Data(body.utf8)))) { error in
            guard case IntacctError.malformedResponse = error else { return XCTFail("\(error)") }
        }
    }
}
