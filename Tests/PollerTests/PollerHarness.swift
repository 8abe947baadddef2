import Foundation
import Logging
import Operations
import Poller
import Sandbox
import Configuration
import DevBroker
import Kafka
import RecordContract
import Timestamps
import TestSupport
import XCTest

/// An in-process sandbox company and dev broker, and a poller configured against them.
final class PollerHarness {
    static let topObjects = ["LOCATIONENTITY", "GLACCOUNT", "DEPARTMENT", "LOCATION", "CLASS", "PROJECT", "VENDOR"]
    static let entityObjects = ["GLBATCH", "GLENTRY", "GLDETAIL", "APBILL", "APPYMT"]
    static let entities = ["E100", "E200", "E300"]

    let sandbox: SandboxServer
    let broker: DevBroker
    let company: String

    init(scale: Int, maxConcurrent: Int = 2) async throws {
        sandbox = SandboxServer(configuration: SandboxConfiguration(seed: 7, scale: scale, maxConcurrentRequests: maxConcurrent))
        try await sandbox.start()
        broker = try DevBroker()
        company = "t" + UUID().uuidString.prefix(8).lowercased()
    }

    func shutdown() async {
        await sandbox.stop()
        broker.stop()
    }

    /// Runs `body` with a started harness and shuts it down afterwards, whether `body` returns or throws.
    static func with<T>(scale: Int, maxConcurrent: Int = 2, _ body: (PollerHarness) async throws -> T) async throws -> T {
        let harness = try await PollerHarness(scale: scale, maxConcurrent: maxConcurrent)
        do {
            let result = try await body(harness)
            await harness.shutdown()
            return result
        } catch {
            await harness.shutdown()
            throw error
        }
    }

    var kafka: KafkaConfiguration { KafkaConfiguration(bootstrap: broker.bootstrapServers) }

    /// The poller's YAML; `objects` lines replace the default (every object).
    func yaml(objects: [String]? = nil, maxConcurrent: Int = 2, pageSize: Int = 500, extra: String = "") -> String {
        let list = (objects ?? (Self.topObjects + Self.entityObjects).map { "- \($0)" }).map { "    " + $0 }.joined(separator: "\n")
        return """
        company: \(company)
        kafka:
          bootstrap_servers: \(broker.bootstrapServers)
        intacct:
        \(sandbox.intacctCredentialsYAML)
          max_concurrent_requests: \(maxConcurrent)
          requests_per_second: 1000
          page_size: \(pageSize)
        poller:
          entities: [E100, E200, E300]
          objects:
        \(list)
        \(extra)
        """
    }

    func configuration(_ yaml: String) throws -> PollerConfiguration {
        try ConfigurationLoader(environment: [:]).load(PollerConfiguration.self, yaml: yaml, file: "poller.yaml")
    }

    func runtime(_ yaml: String, clock: any ServiceClock = .system) async throws -> PollerRuntime {
        try await PollerRuntime.start(try configuration(yaml), logger: Logger(label: "test.poller"), clock: clock)
    }

    /// Every message of the given topics, in order per partition.
    func messages(_ topics: [String]) async throws -> [KafkaMessage] {
        var all: [KafkaMessage] = []
        try await TopicSnapshotReader(kafka: kafka, logger: Logger(label: "test.reader")).scan(topics: topics) { all.append($0) }
        return all
    }

    func topic(_ entity: String, _ object: String) -> String { Topics(company: company).records(entity: entity, object: object) }

    var streams: [(entity: String, object: String)] {
        Self.topObjects.map { ("top", $0) } + Self.entities.flatMap { e in Self.entityObjects.map { (e, $0) } }
    }

    /// Checks that every current record version of the sandbox is in its topic exactly once (or at least
    /// once with `allowDuplicates`), and that the topics hold nothing else.
    func assertTopicsMatchSandbox(allowDuplicates: Bool = false, streams selected: [(entity: String, object: String)]? = nil,
                                  file: StaticString = #filePath, line: UInt = #line) async throws {
        let streams = selected ?? self.streams
        let all = try await messages(streams.map { topic($0.entity, $0.object) })
        var byTopic: [String: [KafkaMessage]] = [:]
        for message in all { byTopic[message.topic, default: []].append(message) }
        for (entity, object) in streams {
            let expected = try sandbox.records(object: object, entity: entity).filter { !$0.deleted }
            var seen: [String: Int] = [:]
            var live: [String: Bool] = [:]
            for message in byTopic[topic(entity, object)] ?? [] {
                live[message.keyString ?? ""] = message.value != nil
                guard let value = message.value else { continue }
                let envelope = try RecordEnvelope.decode(value)
                XCTAssertEqual(message.keyString, "\(company)/\(entity)/\(object)/\(envelope.recordNo)", file: file, line: line)
                seen["\(envelope.recordNo)|\(envelope.whenModified)", default: 0] += 1
            }
            var missing = 0
            for record in expected {
                let version = "\(record.recordno)|\(IntacctTimestamp.iso8601(IntacctTimestamp.parse(record.whenmodified)!))"
                let count = seen[version] ?? 0
                if count == 0 { missing += 1 }
                if !allowDuplicates && count > 1 { XCTFail("\(entity)/\(object) \(version) published \(count) times", file: file, line: line) }
            }
            XCTAssertEqual(missing, 0, "\(entity)/\(object): \(missing) of \(expected.count) versions missing", file: file, line: line)
            // What the topic says is live is exactly what the sandbox still has.
            XCTAssertEqual(live.filter(\.value).count, expected.count, "\(entity)/\(object) live keys", file: file, line: line)
        }
    }
}
