import Foundation
import Sandbox
import TestSupport
import XCTest

final class ConcurrencyAndScaleTests: XCTestCase {
    func testRequestsBeyondTheConcurrencyLimitGet429AndAreCounted() async throws {
        try await SandboxHarness.with(scale: 2_000, maxConcurrent: 2) { sandbox in
            sandbox.server.addFault(SandboxFault(kind: .latency, times: -1, ms: 500))
            let xml = SandboxHarness.envelope(auth: SandboxHarness.login, functions: SandboxHarness.function(
                "<query><object>CLASS</object><select><field>RECORDNO</field></select></query>"))
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<6 { group.addTask { try await sandbox.post(xml).status } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            let limited = statuses.filter { $0 == 429 }.count
            XCTAssertEqual(statuses.filter { $0 == 200 }.count + limited, 6, "\(statuses)")
            XCTAssertGreaterThanOrEqual(limited, 1, "\(statuses)")
            let stats = sandbox.server.stats()
            XCTAssertEqual(stats.requests, 6)
            XCTAssertEqual(stats.maxInFlight, 2)
            XCTAssertEqual(stats.rateLimited, limited)
            try await eventually("in-flight requests drain", timeout: .seconds(10)) { sandbox.server.stats().inFlight == 0 }

            let json = try await sandbox.adminJSON("GET", "/admin/stats")
            XCTAssertEqual(json["max_in_flight"] as? Int, 2)
            XCTAssertEqual(json["rate_limited"] as? Int, limited)
            XCTAssertEqual(json["sessions_created"] as? Int, 0)
            let reset = try await sandbox.adminJSON("POST", "/admin/stats/reset")
            XCTAssertEqual(reset["requests"] as? Int, 0)
        }
    }

    func testAThousandRowGLEntryPageAtScaleOneMillionIsServedQuickly() async throws {
        let clock = ContinuousClock()
        try await SandboxHarness.with(scale: 1_000_000) { sandbox in
            let session = try await sandbox.session(entity: "E100")
            let fields = ["RECORDNO", "BATCHNO", "BATCHKEY", "LINE_NO", "ENTRY_DATE", "ACCOUNTNO", "DEPARTMENTID", "LOCATIONID", "CLASSID",
                          "PROJECTID", "VENDORID", "TR_TYPE", "AMOUNT", "CURRENCY", "DESCRIPTION", "STATE", "MEGAENTITYID", "WHENMODIFIED"]
            let filter = "<greaterthanorequalto><field>WHENMODIFIED</field><value>09/01/2025 00:00:00</value></greaterthanorequalto>"
            var data = try await sandbox.query(session: session, object: "GLENTRY", fields: fields, filter: filter, pageSize: 1000, offset: 0)
            let total = Int(data.attr("totalcount"))!
            XCTAssertGreaterThan(total, 100_000)
            let start = clock.now
            data = try await sandbox.query(session: session, object: "GLENTRY", fields: fields, filter: filter, pageSize: 1000, offset: total / 2)
            let elapsed = clock.now - start
            XCTAssertEqual(data.rows.count, 1000)
            print("scale 1,000,000: 1000-row GLENTRY page at offset \(total / 2) of \(total) served and parsed in \(elapsed)")

            let totalsStart = clock.now
            let totals = sandbox.server.totals()
            print("scale 1,000,000: totals in \(clock.now - totalsStart); E100 GLENTRY \(totals["E100"]!["GLENTRY"]!.count) rows")
            XCTAssertEqual(totals["E100"]!["GLENTRY"]!.debits, totals["E100"]!["GLENTRY"]!.credits)
            // --scale sizes the seed's objects; the objects beyond the seed add about a tenth on top.
            let seed = Set(["LOCATIONENTITY", "GLACCOUNT", "DEPARTMENT", "LOCATION", "CLASS", "PROJECT", "VENDOR",
                            "GLBATCH", "GLENTRY", "GLDETAIL", "APBILL", "APPYMT", "AUDITHISTORY"])
            let seedCount = totals.values.flatMap { $0.filter { seed.contains($0.key) }.values }.reduce(0) { $0 + $1.count }
            let all = totals.values.flatMap { $0.values }.reduce(0) { $0 + $1.count }
            XCTAssertGreaterThan(seedCount, 950_000)
            XCTAssertLessThanOrEqual(seedCount, 1_000_000)
            XCTAssertLessThanOrEqual(all, 1_150_000)
        }
    }
}
