@testable import Kafka
import XCTest

/// librdkafka takes whole milliseconds; what a `Duration` becomes decides whether a poll waits or spins.
final class KafkaTimeoutTests: XCTestCase {
    func testAFractionOfAMillisecondWaitsOneMillisecondInsteadOfReturningAtOnce() {
        XCTAssertEqual(Duration.microseconds(400).rdKafkaMilliseconds, 1)
        XCTAssertEqual(Duration.nanoseconds(1).rdKafkaMilliseconds, 1)
        XCTAssertEqual(Duration.microseconds(4_200).rdKafkaMilliseconds, 5)
    }

    func testWholeMillisecondsZeroAndNegativeDurationsKeepTheirValue() {
        XCTAssertEqual(Duration.milliseconds(5).rdKafkaMilliseconds, 5)
        XCTAssertEqual(Duration.seconds(2).rdKafkaMilliseconds, 2_000)
        XCTAssertEqual(Duration.zero.rdKafkaMilliseconds, 0)
        XCTAssertEqual(Duration.milliseconds(-3).rdKafkaMilliseconds, 0)
    }

    func testDurationsBeyondLibrdkafkasRangeSaturate() {
        XCTAssertEqual(Duration.seconds(Int64.max).rdKafkaMilliseconds, Int32.max)
        XCTAssertEqual(Duration.seconds(3_000_000).rdKafkaMilliseconds, Int32.max)
    }
}
