import Foundation
import Poller
import Timestamps
import XCTest

final class PollScheduleTests: XCTestCase {
    private func at(_ text: String) -> Date { IntacctTimestamp.parse(text)! }
    private func show(_ date: Date?) -> String { date.map(IntacctTimestamp.format) ?? "nil" }

    func testCronFindsTheNextMatchingMinute() throws {
        XCTAssertEqual(show(try CronExpression("*/15 * * * *").next(after: at("01/31/2026 12:07:30"))), "01/31/2026 12:15:00")
        XCTAssertEqual(show(try CronExpression("0 2 * * *").next(after: at("01/31/2026 12:07:30"))), "02/01/2026 02:00:00")
        XCTAssertEqual(show(try CronExpression("30 6 * * 1-5").next(after: at("01/31/2026 12:00:00"))), "02/02/2026 06:30:00",
                       "Saturday the 31st rolls to Monday")
        XCTAssertEqual(show(try CronExpression("0 0 1 */3 *").next(after: at("01/15/2026 00:00:00"))), "04/01/2026 00:00:00")
        XCTAssertEqual(show(try CronExpression("0 12 * * 7").next(after: at("01/31/2026 12:00:00"))), "02/01/2026 12:00:00",
                       "7 is Sunday too")
        XCTAssertNil(try CronExpression("0 0 31 2 *").next(after: at("01/01/2026 00:00:00")))
    }

    func testABadCronNamesTheFieldAndTheProblem() {
        for (text, expected) in [
            ("* * *", "needs 5 fields"),
            ("61 * * * *", "minute field \"61\""),
            ("* * * 13 *", "month field \"13\""),
            ("*/0 * * * *", "step \"0\" is not a positive number"),
            ("a * * * *", "\"a\" is not a number"),
            // Found by the configuration fuzzer: a start beyond the field's range with a step made the
            // range 400...23, which trapped instead of naming the field.
            ("0 0000000000400/000000000000000000001 * * *", "hour field \"0000000000400/000000000000000000001\": 400 is outside 0-23"),
            ("60/5 * * * *", "minute field \"60/5\": 60 is outside 0-59"),
            ("* * 0/2 * *", "day-of-month field \"0/2\": 0 is outside 1-31"),
        ] {
            XCTAssertThrowsError(try CronExpression(text)) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(text): \(error)")
            }
        }
    }

    func testTheCloseWindowSpansMonthEndInBusinessDays() throws {
        let profile = CloseCycleSchedule(businessDaysBefore: 3, businessDaysAfter: 5, otherwise: try CronExpression("0 2 * * *"))
        // January 2026 ends on a Saturday: the last three business days are Wed 28, Thu 29, Fri 30.
        XCTAssertFalse(profile.isInCloseWindow(at("01/27/2026 23:59:59")))
        XCTAssertTrue(profile.isInCloseWindow(at("01/28/2026 00:00:00")))
        XCTAssertTrue(profile.isInCloseWindow(at("01/31/2026 12:00:00")))
        // February starts on a Sunday: the fifth business day is Friday the 6th.
        XCTAssertTrue(profile.isInCloseWindow(at("02/06/2026 18:00:00")))
        XCTAssertFalse(profile.isInCloseWindow(at("02/07/2026 00:00:00")))
    }

    func testTheCloseProfilePollsFastInTheWindowAndDailyOutside() throws {
        let schedule = PollSchedule.closeCycle(CloseCycleSchedule(otherwise: try CronExpression("0 2 * * *")))
        XCTAssertEqual(show(schedule.next(after: at("01/29/2026 10:00:00"))), "01/29/2026 10:15:00")
        XCTAssertEqual(show(schedule.next(after: at("01/15/2026 10:00:00"))), "01/16/2026 02:00:00")
        // The day before the window the next run is the window's first minute, not the next 02:00.
        XCTAssertEqual(show(schedule.next(after: at("01/27/2026 03:00:00"))), "01/28/2026 00:00:00")
    }
}
