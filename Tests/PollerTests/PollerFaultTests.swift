import Foundation
import Poller
import RecordContract
import Sandbox
import TestSupport
import XCTest

final class PollerFaultTests: XCTestCase {
    func testSessionExpiryRateLimitsAnd503sDoNotStopTheRunNorExceedTheConcurrencyLimit() async throws {
        try await PollerHarness.with(scale: 8_000, maxConcurrent: 3) { harness in  // the sandbox would admit a third request: the poller must not send one
            let sandbox = harness.sandbox
            sandbox.addFault(SandboxFault(kind: .sessionExpiry, times: 2, afterCalls: 5))
            // A storm while paging: even if one request drew every failure it stays within max_retries (10).
            sandbox.addFault(SandboxFault(kind: .http429, function: "query", times: 6, retryAfter: 0))
            sandbox.addFault(SandboxFault(kind: .http503, function: "query", times: 3))
            sandbox.addFault(SandboxFault(kind: .flakyAuditHistory, times: 2))
            sandbox.resetStats()
            let runtime = try await harness.runtime(harness.yaml(pageSize: 300))
            let reports = await runtime.coordinator.run(runtime.coordinator.targets, trigger: "test")
            await runtime.close()
            for report in reports { XCTAssertNil(report.failure, report.target) }
            XCTAssertLessThanOrEqual(sandbox.stats().maxInFlight, 2)
            try await harness.assertTopicsMatchSandbox()
        }
    }

    func testAnApplicationErrorOnOneObjectIsAuditedAndEveryOtherObjectCompletes() async throws {
        try await PollerHarness.with(scale: 3_000) { harness in
            harness.sandbox.addFault(SandboxFault(kind: .applicationError, object: "APBILL", times: -1, errorno: "BL01001973",
                                                  description: "Could not read APBILL", description2: "Permission denied for APBILL",
                                                  correction: "Grant the user read access to Bills."))
            let runtime = try await harness.runtime(harness.yaml())
            let reports = await runtime.coordinator.run(runtime.coordinator.targets, trigger: "test")
            await runtime.close()
            for report in reports {
                if report.object == "APBILL" { XCTAssertNotNil(report.failure) } else { XCTAssertNil(report.failure, report.target) }
            }
            let audit = try await harness.messages([Topics(company: harness.company).audit])
            let errors = audit.compactMap { $0.value.flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] } }
                .filter { $0["type"] as? String == "intacct_error" }
            XCTAssertEqual(Set(errors.compactMap { $0["entity"] as? String }), ["E100", "E200", "E300"])
            for error in errors {
                XCTAssertEqual(error["object"] as? String, "APBILL")
                XCTAssertEqual(error["errorno"] as? String, "BL01001973")
                XCTAssertEqual(error["description2"] as? String, "Permission denied for APBILL")
                XCTAssertEqual(error["correction"] as? String, "Grant the user read access to Bills.")
                XCTAssertFalse((error["control_id"] as? String ?? "").isEmpty)
            }
            XCTAssertTrue(audit.contains { $0.value.flatMap { String(data: $0, encoding: .utf8) }?.contains(#""type":"run""#) ?? false })
            let runs = audit.compactMap { $0.value.flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] } }
                .filter { $0["type"] as? String == "object_run" && $0["object"] as? String == "APBILL" }
            XCTAssertEqual(runs.count, 3)
            for run in runs {
                XCTAssertEqual(run["status"] as? String, "failed")
                XCTAssertEqual(run["failed_system"] as? String, "intacct")
            }
            for report in reports where report.object == "APBILL" {
                guard case let .intacct(error)? = report.failure?.cause else { return XCTFail("\(report.target): \(String(describing: report.failure))") }
                XCTAssertEqual(error.details.first?.errorNumber, "BL01001973")
            }
        }
    }
}

extension PollerFaultTests {
    func testAKafkaFailureIsAuditedAsAKafkaErrorWithLibrdkafkasCodeNotAsAnIntacctError() async throws {
        try await PollerHarness.with(scale: 300) { harness in
            // Custom fields make each bill larger than librdkafka's smallest message limit (1000 bytes);
            // audit records stay below it, so the stream's records fail in the producer while its audit
            // still reaches the topic.
            for number in 1...8 {
                try harness.sandbox.addCustomField(object: "APBILL", field: "CUSTOMFIELD_APPROVAL_ROUTING_NOTE_\(number)", type: "TEXT")
            }
            let yaml = harness.yaml(objects: ["- APBILL"]).replacingOccurrences(
                of: "kafka:\n", with: "kafka:\n  properties: {message.max.bytes: \"1000\"}\n")
            let runtime = try await harness.runtime(yaml)
            let targets = runtime.coordinator.select(object: "APBILL", entity: "E100")
            let reports = await runtime.coordinator.run(targets, trigger: "test")
            await runtime.close()
            let report = try XCTUnwrap(reports.first)
            guard case let .kafka(error)? = report.failure?.cause else { return XCTFail("\(String(describing: report.failure))") }
            XCTAssertEqual(error.codeName, "MSG_SIZE_TOO_LARGE")
            XCTAssertEqual(report.failure?.system, .kafka)

            let audit = try await harness.messages([Topics(company: harness.company).audit])
                .compactMap { $0.value.flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] } }
            XCTAssertFalse(audit.contains { $0["type"] as? String == "intacct_error" })
            let failure = try XCTUnwrap(audit.first { $0["type"] as? String == "kafka_error" }, "\(audit)")
            XCTAssertEqual(failure["entity"] as? String, "E100")
            XCTAssertEqual(failure["object"] as? String, "APBILL")
            XCTAssertEqual(failure["stage"] as? String, "incremental")
            XCTAssertEqual(failure["code_name"] as? String, "MSG_SIZE_TOO_LARGE")
            XCTAssertNotNil(failure["code"] as? Int)
            XCTAssertEqual(failure["topic"] as? String, harness.topic("E100", "APBILL"))
        }
    }
}
