import Foundation
import Logging
import Poller
import ServiceLifecycle
import TestSupport
import XCTest

/// The service reads the balances on their own cron, with the clock moved by the test.
final class BalanceScheduleTests: XCTestCase {
    func testTheServiceReadsTheBalancesOnTheirCron() async throws {
        try await PollerHarness.with(scale: 500) { harness in
            // 12:30 UTC: the next hourly slot is 13:00.
            let clock = ManualClock(date: Date(timeIntervalSince1970: 1_769_862_600))
            let yaml = harness.yaml(objects: ["- name: APBILL\n      schedule: \"0 0 1 1 *\""])
                + "\nbalances:\n  kinds: [trial_balance]\n  periods: [\"2026-01\"]\n  entities: [E100]\n  schedule: \"0 * * * *\"\n"
            let runtime = try await harness.runtime(yaml, clock: clock)
            let scheduled = ManualClockService(runtime: runtime, clock: clock)
            let service = scheduled.service
            let topic = harness.topic("E100", "TRIALBALANCE")
            func published() async throws -> Int { try await harness.messages([topic]).count }
            let e100 = try XCTUnwrap(runtime.coordinator.select(object: "APBILL", entity: "E100").first)
            try await eventually("the start-up run finishes", timeout: .seconds(60)) { service.finishedRunCount(of: e100) == 1 }
            let early = try await published()
            XCTAssertEqual(early, 0, "not due before 13:00")
            clock.advance(by: .seconds(31 * 60))
            try await eventually("the balances run at 13:00", timeout: .seconds(60), every: .milliseconds(200)) { try await published() > 0 }

            try await scheduled.stop()
        }
    }
}
