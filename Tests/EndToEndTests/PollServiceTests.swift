import Foundation
import Logging
import Poller
import RecordContract
import Sandbox
import DevBroker
import HTTP
import Kafka
import Timestamps
import TestSupport
import XCTest

/// `intacct-bigquery poll` as a long-running service, started as a real process against the sandbox and
/// a dev broker: on-demand runs over `POST /sync`, runs of one stream never overlapping, and SIGTERM.
final class PollServiceTests: XCTestCase {
    private let company = "svc"

    private func config(sandbox: SandboxServer, broker: DevBroker, objects: [String]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("poll-service-\(UUID().uuidString).yaml").path
        try """
        company: \(company)
        logging: {level: info}
        kafka:
          bootstrap_servers: \(broker.bootstrapServers)
        intacct:
        \(sandbox.intacctCredentialsYAML)
          requests_per_second: 1000
          page_size: 200
        poller:
          http_port: 0
          discover: false
          entities: [E100, E200, E300]
          objects: [\(objects.joined(separator: ", "))]
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The operations port the service logged once listening.
    private func port(of service: CLIProcess) async throws -> Int {
        var port: Int?
        try await eventually("the service logs its HTTP port", timeout: .seconds(60)) {
            guard let line = service.log.split(separator: "\n").first(where: { $0.contains("operations HTTP server listening") }),
                  let range = line.range(of: "port=") else { return false }
            port = Int(line[range.upperBound...].prefix { $0.isNumber })
            return port != nil
        }
        return port!
    }

    private func sync(port: Int, _ body: String?) async throws -> (status: Int, json: [String: Any]) {
        let response = try await HTTPClient().send(HTTPRequest(method: "POST", url: "http://127.0.0.1:\(port)/sync",
                                                               headers: [("Content-Type", "application/json")],
                                                               body: Data((body ?? "").utf8), timeout: .seconds(10)))
        return (response.status, (try JSONSerialization.jsonObject(with: response.body)) as? [String: Any] ?? [:])
    }

    /// Decoded values of a topic, in order per partition.
    private func values(_ topic: String, broker: DevBroker) async throws -> [[String: Any]] {
        var out: [[String: Any]] = []
        try await TopicSnapshotReader(kafka: KafkaConfiguration(bootstrap: broker.bootstrapServers), logger: Logger(label: "test"))
            .scan(topics: [topic]) { message in
                if let value = message.value, let json = (try? JSONSerialization.jsonObject(with: value)) as? [String: Any] { out.append(json) }
            }
        return out
    }

    private func versions(_ entity: String, _ object: String, broker: DevBroker) async throws -> Set<String> {
        let topic = Topics(company: company).records(entity: entity, object: object)
        return Set(try await values(topic, broker: broker).map { "\($0["recordno"] as? String ?? "")|\($0["whenmodified"] as? String ?? "")" })
    }

    private func sandboxVersions(_ sandbox: SandboxServer, _ entity: String, _ object: String) throws -> Set<String> {
        Set(try sandbox.records(object: object, entity: entity).filter { !$0.deleted }
            .map { "\($0.recordno)|\(IntacctTimestamp.iso8601(IntacctTimestamp.parse($0.whenmodified)!))" })
    }

    private func auditRecords(broker: DevBroker) async throws -> [[String: Any]] {
        try await values(Topics(company: company).audit, broker: broker)
    }

    func testSyncRunsTheSelectedStreamsAndSyncsOfOneStreamNeverOverlap() async throws {
        let sandbox = SandboxServer(configuration: SandboxConfiguration(seed: 21, scale: 3_000))
        try await sandbox.start()
        let broker = try DevBroker()
        defer { broker.stop() }
        let path = try config(sandbox: sandbox, broker: broker, objects: ["GLACCOUNT", "APBILL"])
        let service = try CLIProcess(["poll", "--config", path], name: "poll-service")
        let port = try await port(of: service)

        // The start-up run reads everything.
        for entity in ["E100", "E200", "E300"] {
            let expected = try sandboxVersions(sandbox, entity, "APBILL")
            try await eventually("the start-up run publishes \(entity)/APBILL", timeout: .seconds(120)) {
                try await self.versions(entity, "APBILL", broker: broker).isSuperset(of: expected)
            }
        }
        try await eventually("the start-up run ends", timeout: .seconds(120)) {
            try await self.auditRecords(broker: broker).contains { $0["type"] as? String == "run" }
        }

        // One stream, by object and entity: only its changes are read.
        _ = sandbox.advanceClock(seconds: 3600)
        let changed = try sandbox.mutate(object: "APBILL", entity: "E100", modify: 3)
        let untouched = try sandbox.mutate(object: "APBILL", entity: "E200", modify: 1)
        let one = try await sync(port: port, #"{"object":"APBILL","entity":"E100"}"#)
        XCTAssertEqual(one.status, 202)
        XCTAssertEqual(one.json["started"] as? [String], ["E100/APBILL"])
        let e100 = try sandboxVersions(sandbox, "E100", "APBILL")
        try await eventually("the modified E100 bills arrive", timeout: .seconds(60)) {
            try await self.versions("E100", "APBILL", broker: broker).isSuperset(of: e100)
        }
        XCTAssertEqual(changed.modified.count, 3)
        let e200Published = try await versions("E200", "APBILL", broker: broker)
        XCTAssertFalse(e200Published.isSuperset(of: try sandboxVersions(sandbox, "E200", "APBILL")),
                       "a sync of E100/APBILL does not read E200 (\(untouched.modified))")

        // The run goes on after its records arrived (its audit-trail pass; after a first backfill, which
        // reads no trail, that pass reads the whole trail once): every stream is free only once it ended.
        try await eventually("the sync of E100/APBILL ends", timeout: .seconds(60)) {
            try await self.auditRecords(broker: broker).contains { $0["type"] as? String == "run" && $0["trigger"] as? String == "sync" }
        }

        // Without a body: every stream.
        let all = try await sync(port: port, nil)
        XCTAssertEqual(all.status, 202)
        XCTAssertEqual(Set(all.json["started"] as? [String] ?? []), ["top/GLACCOUNT", "E100/APBILL", "E200/APBILL", "E300/APBILL"])
        let e200 = try sandboxVersions(sandbox, "E200", "APBILL")
        try await eventually("the modified E200 bill arrives", timeout: .seconds(60)) {
            try await self.versions("E200", "APBILL", broker: broker).isSuperset(of: e200)
        }
        try await eventually("the sync of every stream ends", timeout: .seconds(60)) {
            try await self.auditRecords(broker: broker).filter { $0["type"] as? String == "run" && $0["trigger"] as? String == "sync" }.count == 2
        }

        // Two quick syncs of one stream while Intacct is slow: the second does not start a second run.
        sandbox.addFault(SandboxFault(kind: .latency, function: "query", times: -1, ms: 300))
        _ = sandbox.advanceClock(seconds: 3600)
        _ = try sandbox.mutate(object: "APBILL", entity: "E300", modify: 2)
        let first = try await sync(port: port, #"{"object":"APBILL","entity":"E300"}"#)
        let second = try await sync(port: port, #"{"object":"APBILL","entity":"E300"}"#)
        XCTAssertEqual(first.json["started"] as? [String], ["E300/APBILL"])
        XCTAssertEqual(second.json["started"] as? [String], [])
        XCTAssertEqual(second.json["already_running"] as? [String], ["E300/APBILL"])
        try await eventually("both syncs are audited", timeout: .seconds(60)) {
            try await self.auditRecords(broker: broker).filter { $0["type"] as? String == "run" && $0["trigger"] as? String == "sync" }.count == 4
        }
        sandbox.clearFaults()
        // Every run of E300/APBILL, start-up and syncs alike, began after the previous one ended.
        let runs = try await auditRecords(broker: broker)
            .filter { $0["type"] as? String == "object_run" && $0["entity"] as? String == "E300" && $0["object"] as? String == "APBILL" }
            .compactMap { run -> (String, String)? in
                guard let start = run["started_at"] as? String, let end = run["ended_at"] as? String else { return nil }
                return (start, end)
            }
            // Times have one-second resolution: of two runs starting in the same second, the one that also
            // ended in it came first.
            .sorted { ($0.0, $0.1) < ($1.0, $1.1) }
        XCTAssertEqual(runs.count, 3, "start-up, the sync of everything and the first quick sync: \(runs)")
        for (earlier, later) in zip(runs, runs.dropFirst()) {
            XCTAssertLessThanOrEqual(earlier.1, later.0, "runs overlap: \(earlier) and \(later)")
        }
        let audit = try await auditRecords(broker: broker)
        XCTAssertTrue(audit.contains { record in
            record["type"] as? String == "run" && (record["skipped_running"] as? [String]) == ["E300/APBILL"]
        }, "the second sync is audited as skipped")

        let status = try await service.terminate(timeout: .seconds(30))
        XCTAssertEqual(status, 0, service.log)
        await sandbox.stop()
    }

    func testSIGTERMStopsPromptlyWithTheWatermarksOfWhatWasPublished() async throws {
        let sandbox = SandboxServer(configuration: SandboxConfiguration(seed: 22, scale: 20_000))
        try await sandbox.start()
        let broker = try DevBroker()
        defer { broker.stop() }
        // Slow pages, so SIGTERM lands in the middle of the start-up backfill.
        sandbox.addFault(SandboxFault(kind: .latency, function: "query", times: -1, ms: 150))
        let path = try config(sandbox: sandbox, broker: broker, objects: ["GLENTRY"])
        let service = try CLIProcess(["poll", "--config", path], name: "poll-service-term")
        try await eventually("the backfill is part-way through", timeout: .seconds(120)) { sandbox.stats().requests >= 12 }

        let clock = ContinuousClock()
        let asked = clock.now
        let status = try await service.terminate(timeout: .seconds(60))
        let took = clock.now - asked
        XCTAssertEqual(status, 0, service.log)
        XCTAssertLessThan(took, .seconds(20), "a stopping service finishes its pages in flight, not the backfill")
        XCTAssertTrue(service.log.contains("shutdown requested"), service.log)

        // The watermarks in _state are committed, and every record at or before one is in its topic.
        let snapshots = TopicSnapshotReader(kafka: KafkaConfiguration(bootstrap: broker.bootstrapServers), logger: Logger(label: "test"))
        let state = try await snapshots.latestValues(topic: Topics(company: company).state)
        var stopped = 0
        for entity in ["E100", "E200", "E300"] {
            let all = try sandbox.records(object: "GLENTRY", entity: entity)
            guard let data = state["\(entity)/GLENTRY"], let watermark = Watermark.decode(data) else { continue }
            let published = try await versions(entity, "GLENTRY", broker: broker)
            let covered = all.filter { record in
                let time = IntacctTimestamp.parse(record.whenmodified)!, mark = IntacctTimestamp.parse(watermark.whenModified)!
                return time < mark || (time == mark && Int(record.recordno)! <= Int(watermark.recordNo)!)
            }
            XCTAssertGreaterThan(covered.count, 0)
            let missing = covered.filter { !published.contains("\($0.recordno)|\(IntacctTimestamp.iso8601(IntacctTimestamp.parse($0.whenmodified)!))") }
            XCTAssertEqual(missing.count, 0, "\(entity): \(missing.prefix(3)) behind the watermark but not published")
            if covered.count < all.count { stopped += 1 }
        }
        XCTAssertGreaterThan(stopped, 0, "SIGTERM stopped at least one stream before its end")
        XCTAssertFalse(state.isEmpty, "watermarks were committed")
        await sandbox.stop()
    }
}
