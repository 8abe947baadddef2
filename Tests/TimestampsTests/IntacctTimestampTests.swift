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
}
