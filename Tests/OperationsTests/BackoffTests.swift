import Operations
import XCTest

final class BackoffTests: XCTestCase {
    func testBackoffStaysUnderItsCapAndHonoursRetryAfter() {
        let backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(2), maxRetries: 3)
        for attempt in 0..<20 { XCTAssertLessThanOrEqual(backoff.delay(attempt: attempt), .seconds(2)) }
        XCTAssertGreaterThanOrEqual(backoff.delay(attempt: 0, retryAfter: .seconds(1)), .seconds(1))
        XCTAssertTrue(backoff.allowsRetry(after: 2))
        XCTAssertFalse(backoff.allowsRetry(after: 3))
        XCTAssertTrue(Backoff(maxRetries: nil).allowsRetry(after: 1000))
    }
}
