import Foundation
import Poller
import HTTP
import XCTest

/// Inputs the `intacct-response` fuzz target (docs/fuzzing.md) found, kept so the fixes stay fixed.
final class IntacctResponseFuzzRegressionTests: XCTestCase {
    // The sanitizer's word-boundary case itself (`&` ending one 8-byte word, `#` starting the next) is
    // covered at every offset in IntacctResponseReaderTests.

    /// The fuzzer's input (a sandbox answer with `&#x1;` at byte offset 239, 7 mod 8), reduced to a
    /// well-formed page whose only reference sits at such an offset.
    func testAResponseWithAReferenceAtAWordBoundaryIsReadLikeItsStreamedForm() throws {
        let text = #"<?xml version="1.0" encoding="UTF-8"?><response><control><status>success</status><senderid>demo-sender</senderid><controlid>fuzz-seed</controlid></control><operation><authentication><status>success</status><userid>api_user</userid></authentication><result><status>success</status><function>query</function><controlid>f-1</controlid><data listtype="VENDOR" count="1"><VENDOR><RECORDNO>7</RECORDNO><NAME>Axxxx&#x1;B</NAME></VENDOR></data></result></operation></response>"#
        XCTAssertEqual(Array(text.utf8).firstIndex(of: UInt8(ascii: "&")).map { $0 % 8 }, 7)
        let reader = IntacctResponseReader()
        let whole = try reader.read(Data(text.utf8))
        XCTAssertEqual(whole.sanitizedCharacters, 1)
        XCTAssertEqual(whole.results.first?.rows.first?["NAME"], "AxxxxB")
        var position = 0
        let bytes = Array(text.utf8)
        var streamed: [IntacctRow] = []
        let response = try reader.read(streaming: { buffer in
            let take = min(17, buffer.count, bytes.count - position)
            for offset in 0..<take { buffer[offset] = bytes[position + offset] }
            position += take
            return take
        }, rowHandler: { streamed.append($1) })
        XCTAssertEqual(response.sanitizedCharacters, whole.sanitizedCharacters)
        XCTAssertEqual(streamed, whole.results.first?.rows)
    }

    /// The fuzzer's input, as the gateway received it: a 429 whose `Retry-After` no Duration can hold.
    func testARateLimitWithAnAbsurdRetryAfterIsARateLimitError() {
        let input = "HTTP 429\nretry-after: 1e300\n\n<response/>"
        let body = Data(input.split(separator: "\n\n", maxSplits: 1)[1].utf8)
        XCTAssertThrowsError(try IntacctGateway.interpret(HTTPResponse(status: 429, headers: ["retry-after": "1e300"], body: body))) { error in
            guard case let IntacctError.rateLimited(retryAfter, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(retryAfter, .seconds(86_400))
        }
    }
}
