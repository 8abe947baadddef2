import Foundation
import Logging
import Poller
import Sandbox
import DevBroker
import HTTP
import Kafka
import RecordContract
import TestSupport
import XCTest

/// Issue #16's acceptance for true UTC, as operators run it: a sandbox serving Pacific local times
/// (`sandbox --timezone -08:00`) and one serving UTC, same seed and clock, each polled by the CLI with no
/// `intacct.timezone`. The poller must learn −08:00 from the session and publish the same true instants
/// from both (record versions, and deleted-at of audit-trail tombstones), after a backfill and after
/// changes and deletes between two incremental polls.
final class LocalTimeZoneTests: XCTestCase {
    private func startSandbox(_ extra: [String], name: String) async throws -> (CLIProcess, String) {
        let addressFile = FileManager.default.temporaryDirectory.appendingPathComponent("ibq-\(name)-\(UUID().uuidString.prefix(8)).addr").path
        let process = try CLIProcess(["sandbox", "--port", "0", "--seed", "11", "--scale", "1500", "--address-file", addressFile] + extra, name: name)
        var gateway: String?
        try await eventually("\(name) writes its address or exits", timeout: .seconds(60), every: .milliseconds(100)) {
            gateway = (try? String(contentsOfFile: addressFile, encoding: .utf8))?
                .split(separator: "\n").first { $0.hasPrefix("IBQ_SANDBOX_GATEWAY=") }
                .map { String($0.dropFirst("IBQ_SANDBOX_GATEWAY=".count)) }
            return gateway != nil || !process.isRunning
        }
        return (process, try XCTUnwrap(gateway, "`sandbox \(extra.joined(separator: " "))` exited before it wrote its address"))
    }

    private func poll(_ gateway: String, company: String, broker: DevBroker) throws {
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("ibq-tz-\(company).yaml").path
        try """
        company: \(company)
        kafka:
          bootstrap_servers: \(broker.bootstrapServers)
        intacct:
        \(SandboxConfiguration(seed: 11, scale: 1500).intacctCredentialsYAML(endpoint: gateway))
          requests_per_second: 1000
        poller:
          http_port: 0
          entities: [E100, E200, E300]
          objects: [GLACCOUNT, APBILL]
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let run = try CLI.run(["poll", "--config", config, "--once"])
        XCTAssertEqual(run.status, 0, run.output)
    }

    private func admin(_ gateway: String, _ path: String, _ body: String) async throws {
        guard let base = URL(string: gateway).flatMap({ URL(string: path, relativeTo: $0)?.absoluteURL.absoluteString }) else {
            return XCTFail("bad gateway \(gateway)")
        }
        let response = try await HTTPClient().send(HTTPRequest(method: "POST", url: base, headers: [("Content-Type", "application/json")],
                                                               body: Data(body.utf8), timeout: .seconds(30)))
        XCTAssertTrue(response.isSuccess, "\(path): HTTP \(response.status)")
    }

    /// key without the company → envelope `whenmodified` of the latest version.
    private func instants(company: String, broker: DevBroker) async throws -> [String: String] {
        let topics = Topics(company: company)
        let names = [topics.records(entity: "top", object: "GLACCOUNT")] + ["E100", "E200", "E300"].map { topics.records(entity: $0, object: "APBILL") }
        var result: [String: String] = [:]
        try await TopicSnapshotReader(kafka: KafkaConfiguration(bootstrap: broker.bootstrapServers), logger: Logger(label: "test.reader"))
            .scan(topics: names) { message in
                guard let value = message.value else {
                    // A tombstone: its deleted-at comes from AUDITHISTORY's ACCESSTIME, local time too.
                    guard let key = message.keyString?.split(separator: "/", maxSplits: 1).last else { return }
                    let deletedAt = message.header(RecordEnvelope.Header.deletedAt)?.value.map { String(decoding: $0, as: UTF8.self) } ?? "?"
                    result[String(key)] = "deleted at " + deletedAt
                    return
                }
                guard let envelope = try? RecordEnvelope.decode(value) else { return }
                result["\(envelope.entity)/\(envelope.object)/\(envelope.recordNo)"] = envelope.whenModified
            }
        return result
    }

    func testWithTheSandboxOnPacificTimeEverySourceModifiedAtIsTheTrueUTCInstant() async throws {
        let (pacific, pacificGateway) = try await startSandbox(["--timezone=-08:00"], name: "sandbox-pacific")
        defer { pacific.send(SIGTERM) }
        let (utc, utcGateway) = try await startSandbox([], name: "sandbox-utc")
        defer { utc.send(SIGTERM) }
        let broker = try DevBroker()
        defer { broker.stop() }
        let suffix = UUID().uuidString.prefix(6).lowercased()
        try poll(pacificGateway, company: "pst\(suffix)", broker: broker)
        try poll(utcGateway, company: "utc\(suffix)", broker: broker)

        try await compare(suffix: suffix, broker: broker, step: "after the backfill")

        // The same changes on both, then an incremental poll each: the Pacific one filters on local text.
        for gateway in [pacificGateway, utcGateway] {
            try await admin(gateway, "/admin/clock", #"{"advance_seconds": 3600}"#)
            try await admin(gateway, "/admin/mutate", #"{"object": "APBILL", "entity": "E200", "modify": 6, "delete": 2}"#)
        }
        try poll(pacificGateway, company: "pst\(suffix)", broker: broker)
        try poll(utcGateway, company: "utc\(suffix)", broker: broker)
        try await compare(suffix: suffix, broker: broker, step: "after changes")
        let deleted = try await instants(company: "pst\(suffix)", broker: broker).values.filter { $0.hasPrefix("deleted at ") }
        XCTAssertFalse(deleted.isEmpty, "the deletes arrived as tombstones")
    }

    private func compare(suffix: String, broker: DevBroker, step: String) async throws {
        let fromPacific = try await instants(company: "pst\(suffix)", broker: broker)
        let fromUTC = try await instants(company: "utc\(suffix)", broker: broker)
        XCTAssertFalse(fromUTC.isEmpty, step)
        XCTAssertEqual(fromPacific.count, fromUTC.count, step)
        var differing: [String] = []
        for (key, instant) in fromUTC where fromPacific[key] != instant {
            differing.append("\(key): UTC sandbox \(instant), Pacific sandbox \(fromPacific[key] ?? "missing")")
        }
        XCTAssertTrue(differing.isEmpty, "\(step): \(differing.count) records differ, e.g. \(differing.prefix(3))")
    }
}
