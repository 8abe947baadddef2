import Foundation
@testable import Poller
import HTTP
import XCTest

/// A body parsed while it arrives must end exactly as `IntacctGateway.interpret` ends on the whole body:
/// the same envelope and rows, or the same error. Chunks here are small and odd-sized, so boundaries fall
/// inside tags, references and the 512 bytes the gateway sniffs.
final class IntacctResponseStreamTests: XCTestCase {
    /// Feeds `body` in `chunk`-byte pieces as the HTTP client would, then reads the outcome.
    private func streamed(_ status: Int, _ body: String, chunk: Int, headers: [String: String] = [:]) -> (Result<IntacctResponse, Error>, parsedAsItArrived: Bool) {
        let stream = IntacctResponseStream()
        let bytes = Array(body.utf8)
        if !bytes.isEmpty { stream.begin(status: status, headers: headers) }
        var start = 0
        while start < bytes.count {
            let end = min(start + chunk, bytes.count)
            bytes[start..<end].withUnsafeBytes { stream.receive($0) }
            start = end
        }
        let parsedAsItArrived = stream.isParsingAsItArrives
        return (Result { try stream.response(to: HTTPResponse(status: status, headers: headers)) }, parsedAsItArrived)
    }

    private func whole(_ status: Int, _ body: String, headers: [String: String] = [:]) -> Result<IntacctResponse, Error> {
        Result { try IntacctGateway.interpret(HTTPResponse(status: status, headers: headers, body: Data(body.utf8))) }
    }

    private func assertSameOutcome(_ status: Int, _ body: String, headers: [String: String] = [:], expectParsedAsItArrives: Bool,
                                   file: StaticString = #filePath, line: UInt = #line) {
        let expected = whole(status, body, headers: headers)
        for chunk in [1, 7, 511, 4096] {
            let (got, parsedAsItArrived) = streamed(status, body, chunk: chunk, headers: headers)
            XCTAssertEqual(parsedAsItArrived, expectParsedAsItArrives, "chunks of \(chunk)", file: file, line: line)
            switch (expected, got) {
            case let (.success(want), .success(have)):
                XCTAssertEqual(have.control, want.control, file: file, line: line)
                XCTAssertEqual(have.authentication, want.authentication, file: file, line: line)
                XCTAssertEqual(have.results.map(\.rows), want.results.map(\.rows), file: file, line: line)
                XCTAssertEqual(have.results.map(\.data), want.results.map(\.data), file: file, line: line)
                XCTAssertEqual(have.sanitizedCharacters, want.sanitizedCharacters, file: file, line: line)
            case let (.failure(want), .failure(have)):
                XCTAssertEqual(kind(have), kind(want), "chunks of \(chunk)", file: file, line: line)
            default:
                XCTFail("streamed \(got), whole \(expected) (chunks of \(chunk))", file: file, line: line)
            }
        }
    }

    /// libxml2 words its first error after where the chunks fell, so a malformed body is compared by kind
    /// and status; every other error must read the same.
    private func kind(_ error: Error) -> String {
        if case let IntacctError.malformedResponse(status, _) = error { return "malformed response (HTTP \(status))" }
        return String(describing: error)
    }

    func testAQueryPageParsedAsItArrivesHasTheRowsOfTheWholeBody() throws {
        assertSameOutcome(200, IntacctFixtures.queryPage, expectParsedAsItArrives: true)
        let (result, _) = streamed(200, IntacctFixtures.queryPage, chunk: 13)
        XCTAssertEqual(try result.get().results.first?.rows.count, 2)
    }

    func testControlCharactersSplitAcrossChunksAreRemovedAsInTheWholeBody() {
        let dirty = IntacctFixtures.queryPage.replacingOccurrences(of: "Cash &amp;", with: "Cash\u{1}&#x2; &amp;")
        assertSameOutcome(200, dirty, expectParsedAsItArrives: true)
    }

    func testMalformedAndTruncatedXMLFailWithTheSameMalformedResponseError() {
        let page = IntacctFixtures.queryPage
        assertSameOutcome(200, page.replacingOccurrences(of: "</TITLE>", with: "</TITEL>"), expectParsedAsItArrives: true)
        assertSameOutcome(200, String(page.prefix(page.count - 40)), expectParsedAsItArrives: true)
        guard case IntacctError.malformedResponse? = streamed(200, String(page.prefix(700)), chunk: 64).0.failureValue else {
            return XCTFail("a cut-off page must be a malformed response")
        }
    }

    func testIntacctFailuresInsideA200AreReportedAsFromTheWholeBody() {
        assertSameOutcome(200, IntacctFixtures.authenticationFailure, expectParsedAsItArrives: true)
        assertSameOutcome(200, IntacctFixtures.resultFailureAndAborted, expectParsedAsItArrives: true)
        assertSameOutcome(200, IntacctFixtures.controlFailure, expectParsedAsItArrives: false)
        assertSameOutcome(200, IntacctFixtures.rateLimitBody, expectParsedAsItArrives: false)
    }

    func testErrorStatusesAndHTMLPagesAreCollectedAndClassifiedAsBefore() {
        let padding = String(repeating: " ", count: 600)
        assertSameOutcome(502, IntacctFixtures.cloudflarePage + padding, expectParsedAsItArrives: false)
        assertSameOutcome(200, IntacctFixtures.cloudflarePage + padding, expectParsedAsItArrives: false)
        assertSameOutcome(429, IntacctFixtures.rateLimitBody + padding, headers: ["retry-after": "3"], expectParsedAsItArrives: false)
        assertSameOutcome(401, IntacctFixtures.unauthorized401 + padding, expectParsedAsItArrives: false)
        assertSameOutcome(503, "upstream failed", expectParsedAsItArrives: false)
        assertSameOutcome(200, "", expectParsedAsItArrives: false)
        assertSameOutcome(200, "not xml at all " + padding, expectParsedAsItArrives: false)
    }
}

private extension Result {
    var failureValue: Failure? {
        if case let .failure(error) = self { return error }
        return nil
    }
}
