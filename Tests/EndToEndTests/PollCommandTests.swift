import Foundation
import Logging
import Poller
import Sandbox
import DevBroker
import Kafka
import RecordContract
import Timestamps
import TestSupport
import XCTest

final class PollCommandTests: XCTestCase {
    private func config(objects: String, kafka: String = "127.0.0.1:1", endpoint: String = "http://127.0.0.1:1/ia/xml/xmlgw.phtml") -> String {
        """
        company: e2e
        kafka:
          bootstrap_servers: \(kafka)
        intacct:
        \(SandboxConfiguration().intacctCredentialsYAML(endpoint: endpoint))
          requests_per_second: 1000
        poller:
          entities: [E100, E200, E300]
          objects:
        \(objects)
        logging:
          level: warning
        """
    }

    private func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("poll-\(UUID().uuidString).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testAnObjectIntacctDoesNotKnowFailsStartUpWithIntacctsErrorNamingIt() async throws {
        let sandbox = SandboxServer(configuration: SandboxConfiguration(seed: 11, scale: 50))
        try await sandbox.start()
        // Kafka is never reached: lookup rejects the object before any topic is created.
        let path = try write(config(objects: "    - GLACOUNT", endpoint: sandbox.gatewayURL.absoluteString))
        let (status, output) = try CLI.run(["poll", "--config", path, "--once"])
        await sandbox.stop()
        XCTAssertNotEqual(status, 0)
        XCTAssertTrue(output.contains("Intacct rejected object GLACOUNT"), output)
        XCTAssertTrue(output.contains("BL01001973"), output)
        XCTAssertTrue(output.contains("Object definition GLACOUNT not found"), output)
    }

    func testAConfigWithABadCronFailsAtStartUpWithAClearMessage() throws {
        let path = try write(config(objects: "    - name: APBILL\n      schedule: \"*/5 * * *\""))
        let (status, output) = try CLI.run(["poll", "--config", path])
        XCTAssertNotEqual(status, 0)
        XCTAssertTrue(output.contains("poller.objects[0].schedule"), output)
        XCTAssertTrue(output.contains("cron expression"), output)
    }

    func testKillingAPollerMidBackfillAndRestartingLosesNothing() async throws {
        let sandbox = SandboxServer(configuration: SandboxConfiguration(seed: 11, scale: 20_000))
        try await sandbox.start()
        let broker = try DevBroker()
        defer { broker.stop() }
        let objects = ["GLENTRY", "GLDETAIL", "APBILL"]
        let path = try write(config(objects: objects.map { "    - \($0)" }.joined(separator: "\n"), kafka: broker.bootstrapServers,
                                    endpoint: sandbox.gatewayURL.absoluteString).replacingOccurrences(of: "requests_per_second: 1000", with: "requests_per_second: 1000\n  page_size: 200"))
        // Slow Intacct down so the kill lands in the middle of the backfill.
        sandbox.addFault(SandboxFault(kind: .latency, function: "query", times: -1, ms: 40))
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = ["poll", "--config", path, "--once"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        try await eventually("the poller is part-way through", timeout: .seconds(120)) { sandbox.stats().requests >= 40 }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal)
        sandbox.clearFaults()

        let (status, output) = try CLI.run(["poll", "--config", path, "--once"])
        XCTAssertEqual(status, 0, output)

        let kafka = KafkaConfiguration(bootstrap: broker.bootstrapServers)
        let topics = Topics(company: "e2e")
        var streams: [(String, String)] = []
        for entity in ["E100", "E200", "E300"] { for object in objects { streams.append((entity, object)) } }
        var seen = Set<String>()
        var repeated: [String] = []
        try await TopicSnapshotReader(kafka: kafka, logger: Logger(label: "test")).scan(topics: streams.map { topics.records(entity: $0.0, object: $0.1) }) { message in
            guard let value = message.value, let envelope = try? RecordEnvelope.decode(value) else { return }
            let version = "\(envelope.entity)/\(envelope.object)/\(envelope.recordNo)/\(envelope.whenModified)"
            if !seen.insert(version).inserted { repeated.append(version) }
        }
        // The restart learns what the killed run published after its last watermark (the topics' ends) and
        // does not send it again: no version is in a topic twice.
        XCTAssertEqual(repeated.count, 0, "versions published twice: \(repeated.prefix(3))")
        for (entity, object) in streams {
            let missing = try sandbox.records(object: object, entity: entity).filter { record in
                !seen.contains("\(entity)/\(object)/\(record.recordno)/\(IntacctTimestamp.iso8601(IntacctTimestamp.parse(record.whenmodified)!))")
            }
            XCTAssertEqual(missing.count, 0, "\(entity)/\(object): \(missing.prefix(3))")
        }
        await sandbox.stop()
    }
}
