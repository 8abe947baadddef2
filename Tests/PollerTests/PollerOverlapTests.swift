import Foundation
import Poller
import Sandbox
import Kafka
import TestSupport
import XCTest

final class PollerOverlapTests: XCTestCase {
    func testAnIncrementalPollWithNoChangeInIntacctPublishesNothingAndAChangePublishesOnlyTheNewVersions() async throws {
        try await PollerHarness.with(scale: 3_000) { harness in
            let yaml = harness.yaml()
            let first = try await harness.runtime(yaml)
            let backfill = await first.coordinator.run(first.coordinator.targets, trigger: "test")
            await first.close()
            XCTAssertTrue(backfill.allSatisfy(\.succeeded))

            // A new process: what was sent inside the overlap window comes back from `_state`.
            let second = try await harness.runtime(yaml)
            let idle = await second.coordinator.run(second.coordinator.targets, trigger: "test")
            assertEachStream(idle, records: { _ in 0 })
            XCTAssertGreaterThan(idle.reduce(0) { $0 + $1.overlapSkipped }, 0)

            // Inside the overlap window again: only the modified bills are new versions.
            harness.sandbox.advanceClock(seconds: 60)
            let bills = try harness.sandbox.mutate(object: "APBILL", entity: "E100", modify: 3)
            let changed = await second.coordinator.run(second.coordinator.targets, trigger: "test")
            await second.close()
            assertEachStream(changed, records: { $0.target == "E100/APBILL" ? bills.modified.count : 0 })
            try await harness.assertTopicsMatchSandbox()
        }
    }

    func testTheAuditTrailReReadDoesNotTombstoneADeletedRecordTwice() async throws {
        try await PollerHarness.with(scale: 2_000) { harness in
            let yaml = harness.yaml(objects: ["- APBILL"])
            let first = try await harness.runtime(yaml)
            _ = await first.coordinator.run(first.coordinator.targets, trigger: "test")
            harness.sandbox.advanceClock(seconds: 60)
            let bills = try harness.sandbox.mutate(object: "APBILL", entity: "E100", delete: 2)
            let deleting = await first.coordinator.run(first.coordinator.targets, trigger: "test")
            await first.close()
            assertEachStream(deleting, tombstones: { $0.entity == "E100" ? bills.deleted.count : 0 })

            // Still inside the overlap window, in a new process: the same deletes are not sent again.
            let second = try await harness.runtime(yaml)
            let idle = await second.coordinator.run(second.coordinator.targets, trigger: "test")
            await second.close()
            assertEachStream(idle, records: { _ in 0 }, tombstones: { _ in 0 })
            try await harness.assertTopicsMatchSandbox(streams: PollerHarness.entities.map { ($0, "APBILL") })
        }
    }

    func testAnIncrementalRunReadsTheAuditTrailOncePerSessionForAllItsStreams() async throws {
        try await PollerHarness.with(scale: 2_000) { harness in
            // The last item's continuation line is a `poller` key: no lookup requests to count.
            let runtime = try await harness.runtime(harness.yaml(objects: ["- APBILL", "- GLDETAIL", "- GLENTRY\n  discover: false"]))
            _ = await runtime.coordinator.run(runtime.coordinator.targets, trigger: "test")
            harness.sandbox.advanceClock(seconds: 60)
            let bills = try harness.sandbox.mutate(object: "APBILL", entity: "E100", delete: 2)
            let details = try harness.sandbox.mutate(object: "GLDETAIL", entity: "E200", delete: 1)
            harness.sandbox.resetStats()
            let reports = await runtime.coordinator.run(runtime.coordinator.targets, trigger: "test")
            await runtime.close()
            let stats = harness.sandbox.stats()
            // One incremental page per stream (9) and one AUDITHISTORY read per entity (3), sessions reused.
            XCTAssertEqual(stats.requests, 9 + 3, "\(stats)")
            for report in reports { XCTAssertNil(report.failure, report.target) }
            func tombstones(_ id: String) -> Int { reports.first { $0.target == id }?.tombstones ?? -1 }
            XCTAssertEqual(tombstones("E100/APBILL"), bills.deleted.count)
            XCTAssertEqual(tombstones("E200/GLDETAIL"), details.deleted.count)
            // Deletes cascade to other objects' records (a batch's lines): the topics say exactly what is still live.
            try await harness.assertTopicsMatchSandbox(streams: PollerHarness.entities.flatMap { entity in
                ["APBILL", "GLDETAIL", "GLENTRY"].map { (entity, $0) }
            })
        }
    }

    func testAStreamsFirstBackfillReadsNoAuditTrail() async throws {
        try await PollerHarness.with(scale: 2_000) { harness in
            // Any AUDITHISTORY read would fail every retry and fail its stream.
            harness.sandbox.addFault(SandboxFault(kind: .flakyAuditHistory, times: -1))
            let runtime = try await harness.runtime(harness.yaml(objects: ["- APBILL"]))
            let reports = await runtime.coordinator.run(runtime.coordinator.targets, trigger: "test")
            await runtime.close()
            for report in reports {
                XCTAssertNil(report.failure, report.target)
                XCTAssertEqual(report.tombstones, 0)
            }
        }
    }

    /// Every stream ran without a failure and sent what the test expects of it; a mismatch names the stream.
    private func assertEachStream(_ reports: [StreamRunReport], records: ((StreamRunReport) -> Int)? = nil,
                                  tombstones: ((StreamRunReport) -> Int)? = nil, file: StaticString = #filePath, line: UInt = #line) {
        for report in reports {
            XCTAssertNil(report.failure, report.target, file: file, line: line)
            if let records { XCTAssertEqual(report.records, records(report), report.target, file: file, line: line) }
            if let tombstones { XCTAssertEqual(report.tombstones, tombstones(report), report.target, file: file, line: line) }
        }
    }
}
