import Foundation
import Timestamps
import XCTest

final class IntacctTimestampTests: XCTestCase {
    func testIntacctTimestampsAreReadAndWrittenAsUTC() throws {
        let date = try XCTUnwrap(IntacctTimestamp.parse("07/24/2017 15:19:46"))
        XCTAssertEqual(IntacctTimestamp.iso8601(date), "2017-07-24T15:19:46Z")
        XCTAssertEqual(IntacctTimestamp.format(date), "07/24/2017 15:19:46")
        XCTAssertEqual(IntacctTimestamp.isoDate(fromIntacct: "02/29/2024"), "2024-02-29")
        XCTAssertNil(IntacctTimestamp.parse("02/30/2023"))
        XCTAssertNil(IntacctTimestamp.parse("2017-07-24 15:19:46"))
        XCTAssertNil(IntacctTimestamp.parse("07/24/2017 25:19:46"))
        XCTAssertEqual(IntacctTimestamp.iso8601(Date(timeIntervalSince1970: -1)), "1969-12-31T23:59:59Z")
    }

    func testEpochSecondsAndDatesGiveTheSameText() throws {
        let seconds = try XCTUnwrap(IntacctTimestamp.epochSeconds(fromIntacct: "01/31/2026 12:00:00"))
        XCTAssertEqual(seconds, 1_769_860_800)
        XCTAssertEqual(IntacctTimestamp.format(epochSeconds: seconds), "01/31/2026 12:00:00")
        XCTAssertEqual(IntacctTimestamp.format(epochSeconds: seconds), IntacctTimestamp.format(Date(timeIntervalSince1970: Double(seconds))))
        XCTAssertEqual(IntacctTimestamp.formatDate(epochSeconds: seconds), "01/31/2026")
        XCTAssertEqual(IntacctTimestamp.formatDate(epochSeconds: -1), "12/31/1969")
        XCTAssertEqual(IntacctTimestamp.epochSeconds(fromIntacct: "01/31/2026"), seconds - 12 * 3600)
        XCTAssertEqual(IntacctTimestamp.rfc3339ZeroOffset(epochSeconds: seconds + 6600), "2026-01-31T13:50:00+00:00")
        XCTAssertEqual(IntacctTimestamp.parseRFC3339(IntacctTimestamp.rfc3339ZeroOffset(epochSeconds: seconds))?.timeIntervalSince1970,
                       Double(seconds))
    }

    func testIntacctTextBecomesBigQueryTextWithoutADateInBetween() {
        XCTAssertEqual(IntacctTimestamp.rfc3339(fromIntacct: "01/31/2026 12:00:05"), "2026-01-31T12:00:05Z")
        XCTAssertEqual(IntacctTimestamp.rfc3339(fromIntacct: "02/28/2026"), "2026-02-28T00:00:00Z")
        XCTAssertEqual(IntacctTimestamp.rfc3339(fromIntacct: "12/31/2016 23:59:60"), "2017-01-01T00:00:00Z",
                       "a leap second is valid Intacct but not BigQuery text: it rolls over")
        XCTAssertEqual(IntacctTimestamp.isoDate(fromIntacct: "02/28/2026"), "2026-02-28")
        for bad in ["", "2026-01-31T12:00:00Z", "1/31/2026", "01/31/2026 12:00", "13/01/2026", "02/29/2025", "01/31/2026 12:60:00", "01-31-2026"] {
            XCTAssertNil(IntacctTimestamp.rfc3339(fromIntacct: bad), bad)
        }
        XCTAssertNil(IntacctTimestamp.isoDate(fromIntacct: "01/31/2026 12:00:00"), "a DATE is a date")
        XCTAssertTrue(IntacctTimestamp.isISODate("2024-02-29"))
        XCTAssertFalse(IntacctTimestamp.isISODate("2023-02-29"))
        XCTAssertFalse(IntacctTimestamp.isISODate("2026/01/31"))
        XCTAssertTrue(IntacctTimestamp.hasRFC3339Layout("2026-01-31T12:00:00Z"))
        XCTAssertTrue(IntacctTimestamp.hasRFC3339Layout("2026-01-31T12:00:00.5-08:00"))
        XCTAssertTrue(IntacctTimestamp.hasRFC3339Layout("2026-13-45T00:00:00Z"), "the values are BigQuery's to judge")
        XCTAssertFalse(IntacctTimestamp.hasRFC3339Layout("2026-01-31T12:00:00"))
        XCTAssertFalse(IntacctTimestamp.hasRFC3339Layout("2026/01/31T12:00:00Z"))
    }

    func testMicrosecondsAreWrittenAsBigQueryKeepsThem() {
        XCTAssertEqual(IntacctTimestamp.rfc3339Microseconds(Date(timeIntervalSince1970: 1_769_860_800.25)), "2026-01-31T12:00:00.250000Z")
        XCTAssertEqual(IntacctTimestamp.rfc3339Microseconds(Date(timeIntervalSince1970: 0)), "1970-01-01T00:00:00.000000Z")
        XCTAssertEqual(IntacctTimestamp.rfc3339Microseconds(Date(timeIntervalSince1970: -0.5)), "1969-12-31T23:59:59.500000Z")
    }

    func testAYearBeyondFourDigitsIsWrittenWholeNotCut() {
        let year10000 = Date(timeIntervalSince1970: 253_402_300_800)  // 10000-01-01T00:00:00Z
        XCTAssertEqual(IntacctTimestamp.iso8601(year10000), "10000-01-01T00:00:00Z")
        XCTAssertEqual(IntacctTimestamp.format(year10000), "01/01/10000 00:00:00")
    }
}
