import Foundation
import Sandbox
import XCTest

/// With `--timezone`, the sandbox serves timestamps in the API user's local time without an offset and
/// reads filters the same way, as Intacct does; the session's timestamp carries the offset.
final class TimeZoneTests: XCTestCase {
    /// `MM/DD/YYYY HH:MM:SS` read as if it were UTC, so two renderings of one instant can be subtracted.
    func epoch(_ text: String) -> Int {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "MM/dd/yyyy HH:mm:ss"
        return Int(formatter.date(from: text)!.timeIntervalSince1970)
    }

    func testTimestampsAreServedAndFilteredInLocalTimeAndTheSessionCarriesTheOffset() async throws {
        let utc = try await SandboxHarness(scale: 4_000)
        let pacific = try await SandboxHarness(scale: 4_000, utcOffsetSeconds: -8 * 3600)
        addTeardownBlock { await utc.stop(); await pacific.stop() }
        _ = utc.server.advanceClock(seconds: 120)
        _ = pacific.server.advanceClock(seconds: 120)
        _ = try utc.server.mutate(object: "APBILL", entity: "E100", modify: 2, delete: 1)
        _ = try pacific.server.mutate(object: "APBILL", entity: "E100", modify: 2, delete: 1)

        let utcSession = try await utc.session(entity: "E100"), pacificSession = try await pacific.session(entity: "E100")
        let login = try await pacific.postXML(SandboxHarness.envelope(auth: SandboxHarness.login, functions: SandboxHarness.function("<getAPISession/>")))
        XCTAssertEqual(login.text("operation/authentication/sessiontimestamp"), "2026-01-31T04:02:00-08:00")
        XCTAssertTrue(login.text("operation/authentication/sessiontimeout").hasSuffix("-08:00"))

        let fields = ["RECORDNO", "WHENMODIFIED", "WHENCREATED"]
        let a = try await utc.queryAll(session: utcSession, object: "APBILL", fields: fields)
        let b = try await pacific.queryAll(session: pacificSession, object: "APBILL", fields: fields)
        XCTAssertEqual(a.map { $0["RECORDNO"]! }, b.map { $0["RECORDNO"]! }, "the same records in the same order")
        for (u, p) in zip(a, b) {
            XCTAssertEqual(epoch(p["WHENMODIFIED"]!), epoch(u["WHENMODIFIED"]!) - 8 * 3600, "eight hours behind UTC")
            XCTAssertEqual(p["WHENCREATED"], u["WHENCREATED"], "DATE fields are calendar dates, not shifted")
        }

        // The mutate happened at 12:02:00 UTC, 04:02:00 Pacific: a filter in local time finds exactly those records.
        let filter = { (value: String) in "<greaterthanorequalto><field>WHENMODIFIED</field><value>\(value)</value></greaterthanorequalto>" }
        let changedUTC = try await utc.queryAll(session: utcSession, object: "APBILL", fields: ["RECORDNO"], filter: filter("01/31/2026 12:02:00"))
        let changedLocal = try await pacific.queryAll(session: pacificSession, object: "APBILL", fields: ["RECORDNO"], filter: filter("01/31/2026 04:02:00"))
        XCTAssertFalse(changedUTC.isEmpty)
        XCTAssertEqual(changedLocal, changedUTC)
        let none = try await pacific.queryAll(session: pacificSession, object: "APBILL", fields: ["RECORDNO"], filter: filter("01/31/2026 04:02:01"))
        XCTAssertTrue(none.isEmpty, "a second later in local time is after every record")

        let top = try await pacific.session()
        let audit = try await pacific.queryAll(session: top, object: "AUDITHISTORY", fields: ["ACCESSTIME"], showPrivate: true)
        XCTAssertEqual(Set(audit.map { $0["ACCESSTIME"]! }), ["01/31/2026 04:02:00"])
    }

    func testTheTimezoneOptionReadsSignedHoursAndMinutes() {
        XCTAssertEqual(SandboxConfiguration.utcOffset(parsing: "-08:00"), -28_800)
        XCTAssertEqual(SandboxConfiguration.utcOffset(parsing: "+05:30"), 19_800)
        XCTAssertEqual(SandboxConfiguration.utcOffset(parsing: "UTC"), 0)
        XCTAssertNil(SandboxConfiguration.utcOffset(parsing: "8"))
        XCTAssertNil(SandboxConfiguration.utcOffset(parsing: "+15:00"))
    }
}
