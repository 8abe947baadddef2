import Foundation
import Timestamps
import XCTest

final class IntacctTimeZoneTests: XCTestCase {
    private let pacific = IntacctTimeZone.fixed(offsetSeconds: -8 * 3600)

    func testPacificLocalTimesBecomeTheTrueUTCInstant() throws {
        XCTAssertEqual(pacific.rfc3339(fromLocal: "01/05/2024 10:00:00"), "2024-01-05T18:00:00Z")
        XCTAssertEqual(pacific.utcText(fromLocal: "01/05/2024 10:00:00"), "01/05/2024 18:00:00")
        // Past local midnight the UTC date moves on, across a month and a year too.
        XCTAssertEqual(pacific.utcText(fromLocal: "12/31/2023 20:30:15"), "01/01/2024 04:30:15")
        XCTAssertEqual(pacific.epochSeconds(fromLocal: "01/05/2024 10:00:00"), 1_704_477_600)
    }

    func testFiltersAreWrittenInIntacctsLocalForm() {
        XCTAssertEqual(pacific.localText(epochSeconds: 1_704_477_600), "01/05/2024 10:00:00")
        XCTAssertEqual(pacific.localText(Date(timeIntervalSince1970: 1_704_067_815.5)), "12/31/2023 16:10:15")
        XCTAssertEqual(IntacctTimeZone.utc.localText(epochSeconds: 1_704_477_600), "01/05/2024 18:00:00")
    }

    func testUTCLeavesValuesAsIntacctSentThem() {
        XCTAssertTrue(IntacctTimeZone.utc.isUTC)
        XCTAssertEqual(IntacctTimeZone.utc.utcText(fromLocal: "01/05/2024 10:00:00"), "01/05/2024 10:00:00")
        XCTAssertEqual(IntacctTimeZone.utc.rfc3339(fromLocal: "01/05/2024 10:00:00"), "2024-01-05T10:00:00Z")
    }

    func testTextThatIsNoIntacctTimestampPassesThroughForTheLoaderToJudge() {
        XCTAssertEqual(pacific.utcText(fromLocal: "not a time"), "not a time")
        XCTAssertEqual(pacific.utcText(fromLocal: ""), "")
        XCTAssertNil(pacific.rfc3339(fromLocal: "13/01/2024 10:00:00"))
    }

    func testTheSessionTimestampsOffsetIsTheUsersZone() throws {
        let zone = try XCTUnwrap(IntacctTimeZone(sessionTimestamp: "2024-01-05T10:00:00-08:00"))
        XCTAssertEqual(zone, pacific)
        XCTAssertEqual(zone.description, "-08:00")
        XCTAssertEqual(IntacctTimeZone(sessionTimestamp: "2024-01-05T10:00:00+00:00"), .utc)
        XCTAssertEqual(IntacctTimeZone(sessionTimestamp: "2024-01-05T10:00:00Z"), .utc)
        XCTAssertEqual(IntacctTimeZone(sessionTimestamp: "2024-01-05T10:00:00+05:30")?.description, "+05:30")
        XCTAssertNil(IntacctTimeZone(sessionTimestamp: "01/05/2024 10:00:00"))
        XCTAssertNil(IntacctTimeZone(sessionTimestamp: ""))
    }

    func testTheSettingTakesOffsetsUTCAndIANANames() throws {
        XCTAssertEqual(IntacctTimeZone(setting: "-08:00"), pacific)
        XCTAssertEqual(IntacctTimeZone(setting: "UTC"), .utc)
        XCTAssertEqual(IntacctTimeZone(setting: "+00:00"), .utc)
        XCTAssertNil(IntacctTimeZone(setting: "-8"))
        XCTAssertNil(IntacctTimeZone(setting: "+25:00"))
        XCTAssertNil(IntacctTimeZone(setting: "Pacific"))
        XCTAssertNil(IntacctTimeZone(setting: "Nowhere/Atlantis"))
    }

    func testAnIANAZoneTakesTheOffsetInForceAtEachInstant() throws {
        let losAngeles = try XCTUnwrap(IntacctTimeZone(setting: "America/Los_Angeles"), "Foundation has no time-zone database here")
        XCTAssertEqual(losAngeles.description, "America/Los_Angeles")
        XCTAssertEqual(losAngeles.rfc3339(fromLocal: "01/05/2024 10:00:00"), "2024-01-05T18:00:00Z")
        XCTAssertEqual(losAngeles.rfc3339(fromLocal: "07/05/2024 10:00:00"), "2024-07-05T17:00:00Z")
        XCTAssertEqual(losAngeles.localText(epochSeconds: 1_720_198_800), "07/05/2024 10:00:00")
        // 01:30 happens twice on 3 November 2024; the earlier instant (still daylight time) is taken.
        XCTAssertEqual(losAngeles.rfc3339(fromLocal: "11/03/2024 01:30:00"), "2024-11-03T08:30:00Z")
    }
}
