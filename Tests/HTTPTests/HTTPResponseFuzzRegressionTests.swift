import Foundation
import HTTP
import XCTest

/// Inputs the `intacct-response` fuzz target (docs/fuzzing.md) found, kept so the fixes stay fixed.
final class HTTPResponseFuzzRegressionTests: XCTestCase {
    private func retryAfter(_ value: String) -> Duration? {
        HTTPResponse(status: 429, headers: ["retry-after": value]).retryAfter
    }

    /// `Retry-After: 1e300` on a 429 trapped converting to whole milliseconds and took the poller down.
    func testARetryAfterBeyondAnyDurationIsCappedNotATrap() {
        XCTAssertEqual(retryAfter("1e300"), .seconds(86_400))
        XCTAssertEqual(retryAfter("inf"), .seconds(86_400))
        XCTAssertEqual(retryAfter("9223372036854775807"), .seconds(86_400))
    }

    func testARetryAfterThatIsNotANumberIsNoValue() {
        XCTAssertNil(retryAfter("nan"))
        XCTAssertEqual(retryAfter("-inf"), .zero)
    }

    func testAnHTTPDateFarInTheFutureIsCapped() {
        let value = retryAfter("Fri, 31 Dec 99999 23:59:59 GMT")
        XCTAssertTrue(value == nil || value! <= .seconds(86_400), "\(String(describing: value))")
    }

    func testOrdinaryRetryAfterValuesAreUnchanged() {
        XCTAssertEqual(retryAfter("3"), .seconds(3))
        XCTAssertEqual(retryAfter("0.25"), .milliseconds(250))
        XCTAssertEqual(retryAfter("-5"), .zero)
    }
}
