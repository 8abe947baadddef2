import Foundation
import Poller
import Sandbox
import Timestamps
import TestSupport
import XCTest

final class PollerBackfillTests: XCTestCase {
    /// The acceptance's scale: 100,000 records across every object and entity.
    func testABackfillPublishesEveryRecordVersionExactlyOnceInItsTopic() async throws {
        try await PollerHarness.with(scale: 100_000) { harness in
            let runtime = try await harness.runtime(harness.yaml())
            let reports = await runtime.coordinator.run(runtime.coordinator.targets, trigger: "test")
            await runtime.close()
            XCTAssertEqual(reports.count, 7 + 3 * 5)
            for report in reports { XCTAssertNil(report.failure, report.target) }
            try await harness.assertTopicsMatchSandbox()
        }
    }

    func testWatermarksAreWrittenPerStreamAndARestartResumesFromThem() async throws {
        try await PollerHarness.with(scale: 5_000) { harness in
            let yaml = harness.yaml(objects: ["- APBILL", "- GLACCOUNT"])
            let first = try await harness.runtime(yaml)
            let firstReports = await first.coordinator.run(first.coordinator.targets, trigger: "test")
            await first.close()
            XCTAssertTrue(firstReports.allSatisfy(\.succeeded))

            let second = try await harness.runtime(yaml)
            let apbill = await second.context.watermarks.current(entity: "E100", stream: "APBILL")
            let last = try harness.sandbox.records(object: "APBILL", entity: "E100").max { a, b in
                IntacctTimestamp.parse(a.whenmodified)! < IntacctTimestamp.parse(b.whenmodified)!
            }
            XCTAssertEqual(apbill?.whenModified, last?.whenmodified)
            XCTAssertEqual(apbill?.recordNo, last?.recordno)
            // Nothing changed: the second run re-reads only the overlap window (a handful of rows at most).
            let reports = await second.coordinator.run(second.coordinator.targets, trigger: "test")
            await second.close()
            for report in reports {
                XCTAssertTrue(report.succeeded)
                XCTAssertLessThan(report.records, 10, report.target)
            }
        }
    }
}
