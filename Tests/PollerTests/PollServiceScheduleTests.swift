import Foundation
import Logging
import Poller
import ServiceLifecycle
import Catalog
import Timestamps
import TestSupport
import XCTest

/// The service's schedule and run bookkeeping, with the clock moved by the test instead of waited for.
final class PollServiceScheduleTests: XCTestCase {
    private func at(_ text: String) -> Date { IntacctTimestamp.parse(text)! }

    private func target(_ object: String, _ schedule: String, deletes: ObjectSettings.DeleteDetection = .auditHistory) throws -> PollTarget {
        PollTarget(entity: "E100", object: ObjectCatalog.standard[object]!, schedule: .cron(try CronExpression(schedule)), deletes: deletes)
    }

    func testEveryStreamIsDueAtStartUpThenEachOnItsOwnCron() throws {
        let apbill = try target("APBILL", "*/15 * * * *"), glentry = try target("GLENTRY", "0 * * * *")
        var timetable = ScheduleTimetable(targets: [apbill, glentry], reconciliation: try CronExpression("0 3 * * 0"),
                                          start: at("01/31/2026 12:07:30"))
        XCTAssertEqual(timetable.take(at: at("01/31/2026 12:07:30"))?.targets, [apbill, glentry])
        XCTAssertNil(timetable.take(at: at("01/31/2026 12:07:31")), "nothing is due twice")
        XCTAssertNil(timetable.take(at: at("01/31/2026 12:14:59")))
        XCTAssertEqual(timetable.take(at: at("01/31/2026 12:15:00"))?.targets, [apbill])
        XCTAssertEqual(timetable.take(at: at("01/31/2026 13:00:00"))?.targets, [apbill, glentry])
        // Asleep for hours: each stream runs once, not once per missed slot.
        let late = timetable.take(at: at("01/31/2026 18:40:00"))
        XCTAssertEqual(late?.targets, [apbill, glentry])
        XCTAssertEqual(late?.trigger, "schedule")
        XCTAssertNil(timetable.take(at: at("01/31/2026 18:40:01")))
    }

    func testTheReconciliationCronRunsEveryStreamWithDeletesAndReconcilesIt() throws {
        let apbill = try target("APBILL", "0 0 1 1 *"), vendor = try target("VENDOR", "0 0 1 1 *", deletes: .none)
        var timetable = ScheduleTimetable(targets: [apbill, vendor], reconciliation: try CronExpression("30 12 * * *"),
                                          start: at("01/31/2026 12:00:00"))
        _ = timetable.take(at: at("01/31/2026 12:00:00"))
        let batch = try XCTUnwrap(timetable.take(at: at("01/31/2026 12:30:00")))
        XCTAssertEqual(batch.targets, [apbill])
        XCTAssertEqual(batch.reconcile, [apbill])
        XCTAssertEqual(batch.trigger, "schedule+reconciliation")
    }

    func testAScheduledRunFiresInTheServiceAndFinishedRunsAreBounded() async throws {
        try await PollerHarness.with(scale: 2_000) { harness in
            let clock = ManualClock()
            let runtime = try await harness.runtime(harness.yaml(objects: ["- name: APBILL\n      schedule: \"* * * * *\""]),
                                                    clock: clock)
            let scheduled = ManualClockService(runtime: runtime, clock: clock, keepRunsPerStream: 3)
            let service = scheduled.service
            let e100 = try XCTUnwrap(runtime.coordinator.select(object: "APBILL", entity: "E100").first)

            try await eventually("the start-up run finishes", timeout: .seconds(60)) { service.finishedRunCount(of: e100) == 1 }
            XCTAssertGreaterThan(service.recentRuns(of: e100)[0].records, 0)
            // Nothing is due until the next minute; move the clock there instead of waiting for it.
            _ = harness.sandbox.advanceClock(seconds: 600)
            _ = try harness.sandbox.mutate(object: "APBILL", entity: "E100", modify: 2)
            clock.advance(by: .seconds(61))
            try await eventually("a scheduled run fires", timeout: .seconds(60)) { service.finishedRunCount(of: e100) == 2 }
            XCTAssertGreaterThanOrEqual(service.recentRuns(of: e100)[1].records, 2, "the scheduled run read the modified bills")

            // Many more minutes pass: runs keep firing, but only the last three per stream are kept and
            // finished runs leave the running set.
            for expected in 3...8 {
                clock.advance(by: .seconds(61))
                try await eventually("scheduled run \(expected)", timeout: .seconds(60)) { service.finishedRunCount(of: e100) == expected }
            }
            try await eventually("every run ended", timeout: .seconds(60)) { service.runsInProgress == 0 }
            XCTAssertEqual(service.recentRuns(of: e100).count, 3)
            XCTAssertEqual(service.keptRunReports, 3 * runtime.coordinator.targets.count)

            try await scheduled.stop()
        }
    }
}
