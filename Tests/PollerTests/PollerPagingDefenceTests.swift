import Foundation
import Poller
import RecordContract
import Sandbox
import Timestamps
import TestSupport
import XCTest

/// Each test replays, through a sandbox fault, a way real Intacct traffic broke paging.
final class PollerPagingDefenceTests: XCTestCase {
    private func auditRecords(_ harness: PollerHarness) async throws -> [[String: Any]] {
        try await harness.messages([Topics(company: harness.company).audit])
            .compactMap { $0.value.flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] } }
    }

    func testAPageWhoseRowsDoNotMatchItsOwnCountFailsTheStreamWithAnAuditRecordAndTheNextRunReadsIt() async throws {
        try await PollerHarness.with(scale: 3_000) { harness in
            harness.sandbox.addFault(SandboxFault(kind: .misnamedRows, object: "APBILL", function: "query", times: 1))
            let yaml = harness.yaml(objects: ["- APBILL"], pageSize: 100)
            let runtime = try await harness.runtime(yaml)
            let reports = await runtime.coordinator.run(runtime.coordinator.targets, trigger: "test")
            let failed = reports.filter { !$0.succeeded }
            XCTAssertEqual(failed.count, 1)
            let failure = try XCTUnwrap(failed.first?.failure)
            guard case .poller(.pageRowCountMismatch(_, "APBILL", let count, 0, "APBILL")) = failure.cause else {
                return XCTFail("\(failure)")
            }
            XCTAssertGreaterThan(count, 0)
            XCTAssertEqual(failure.system, .intacct)
            let errors = try await auditRecords(harness).filter { $0["type"] as? String == "intacct_error" }
            XCTAssertEqual(errors.count, 1)
            XCTAssertEqual(errors.first?["object"] as? String, "APBILL")
            XCTAssertTrue((errors.first?["message"] as? String ?? "").contains("count=\(count)"), "\(errors)")

            // Nothing was skipped: the next run reads the stream that failed, and every version arrives.
            let again = await runtime.coordinator.run(runtime.coordinator.targets, trigger: "test")
            await runtime.close()
            XCTAssertTrue(again.allSatisfy(\.succeeded))
            try await harness.assertTopicsMatchSandbox(streams: PollerHarness.entities.map { ($0, "APBILL") })
        }
    }

    func testAnEmptyPageThatSaysRowsRemainFailsTheStreamInsteadOfEndingItQuietly() async throws {
        try await PollerHarness.with(scale: 3_000) { harness in
            harness.sandbox.addFault(SandboxFault(kind: .emptyPage, object: "APBILL", function: "query", times: 1))
            let runtime = try await harness.runtime(harness.yaml(objects: ["- APBILL"], pageSize: 100))
            let reports = await runtime.coordinator.run(runtime.coordinator.targets, trigger: "test")
            await runtime.close()
            let failed = reports.filter { !$0.succeeded }
            XCTAssertEqual(failed.count, 1)
            guard case .poller(.emptyPageWithRowsRemaining(_, "APBILL", let remaining))? = failed.first?.failure?.cause else {
                return XCTFail("\(String(describing: failed.first?.failure))")
            }
            XCTAssertGreaterThan(remaining, 0)
            let errors = try await auditRecords(harness).filter { $0["type"] as? String == "intacct_error" }
            XCTAssertEqual(errors.count, 1)
            XCTAssertEqual(errors.first?["stage"] as? String, "incremental")
        }
    }

    func testAGatewayThatIgnoresTheKeysetConditionFailsTheStreamInsteadOfReadingTheSamePageForever() async throws {
        try await PollerHarness.with(scale: 3_000) { harness in
            harness.sandbox.addFault(SandboxFault(kind: .ignoredFilter, object: "APBILL", function: "query", times: -1))
            let runtime = try await harness.runtime(harness.yaml(objects: ["- APBILL"], pageSize: 50))
            harness.sandbox.resetStats()
            let reports = await runtime.coordinator.run(runtime.coordinator.targets, trigger: "test")
            await runtime.close()
            XCTAssertEqual(reports.count, 3)
            for report in reports {
                guard case .poller(.cursorDidNotMove(report.entity, "APBILL", _, _))? = report.failure?.cause else {
                    XCTFail("\(report.target): \(String(describing: report.failure))")
                    continue
                }
                // The first page was published and acknowledged; the repeat of it was not.
                XCTAssertEqual(report.records, 50, report.target)
            }
            // Two pages per stream (the first, and its repeat that stopped the stream), besides at most two
            // requests per session opened (a login, then getAPISession for an entity).
            let stats = harness.sandbox.stats()
            XCTAssertLessThanOrEqual(stats.requests, 3 * 2 + 2 * stats.sessionsCreated, "\(stats)")
        }
    }

    func testTheWatermarkIsTheGreatestRowOfThePagesWhateverOrderTheirRowsCameIn() async throws {
        try await PollerHarness.with(scale: 3_000) { harness in
            harness.sandbox.addFault(SandboxFault(kind: .unorderedRows, object: "APBILL", function: "query", times: -1))
            let runtime = try await harness.runtime(harness.yaml(objects: ["- APBILL"], pageSize: 40))
            let reports = await runtime.coordinator.run(runtime.coordinator.targets, trigger: "test")
            for report in reports {
                XCTAssertNil(report.failure, report.target)
                XCTAssertGreaterThan(report.pages, 1, report.target)
            }
            for entity in PollerHarness.entities {
                let watermark = await runtime.context.watermarks.current(entity: entity, stream: "APBILL")
                let newest = try harness.sandbox.records(object: "APBILL", entity: entity).filter { !$0.deleted }.max { a, b in
                    let (x, y) = (IntacctTimestamp.parse(a.whenmodified)!, IntacctTimestamp.parse(b.whenmodified)!)
                    return x != y ? x < y : RecordNumberOrderForTests.less(a.recordno, b.recordno)
                }
                XCTAssertEqual(watermark?.whenModified, newest?.whenmodified, entity)
                XCTAssertEqual(watermark?.recordNo, newest?.recordno, entity)
            }
            await runtime.close()
            try await harness.assertTopicsMatchSandbox(streams: PollerHarness.entities.map { ($0, "APBILL") })
        }
    }
}

/// APBILL record numbers are plain integers: they order as numbers.
private enum RecordNumberOrderForTests {
    static func less(_ a: String, _ b: String) -> Bool { (Int(a) ?? 0, a) < (Int(b) ?? 0, b) }
}
