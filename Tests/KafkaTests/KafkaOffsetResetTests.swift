import Foundation
import Kafka
import TestSupport
import XCTest

final class KafkaOffsetResetTests: XCTestCase {
    private func consumeAll(_ count: Int, from topic: String, group: String, cluster: KafkaTestCluster) async throws -> [KafkaMessage] {
        let consumer = try cluster.consumer(group: group)
        try consumer.subscribe(topics: [topic])
        var received: [KafkaMessage] = []
        try await eventually("\(count) records consumed", timeout: .seconds(90)) {
            received += try await consumer.poll(timeout: .milliseconds(200))
            return received.count >= count
        }
        for message in received { consumer.markProcessed(message) }
        try await consumer.close()
        return received
    }

    func testReplayResetToEarliestRereadsEverything() async throws {
        let cluster = try KafkaTestCluster()
        let topic = try cluster.topic(partitions: 3)
        try await cluster.produce(30, to: topic)
        let firstPass = try await consumeAll(30, from: topic, group: "replay", cluster: cluster)
        XCTAssertEqual(firstPass.count, 30)

        let admin = try cluster.admin()
        let offsets = try await admin.resetOffsets(group: "replay", topics: [topic], to: .earliest,
                                                   whenMembershipUnknown: .proceed)
        XCTAssertEqual(offsets.count, 3)
        XCTAssertTrue(offsets.values.allSatisfy { $0 == 0 })

        let secondPass = try await consumeAll(30, from: topic, group: "replay", cluster: cluster)
        XCTAssertEqual(Set(secondPass.compactMap(\.keyString)), Set((0..<30).map { "key-\($0)" }))
        XCTAssertEqual(secondPass.count, 30)
    }

    func testATimeResetAgainstTheMockSaysTheBrokerCannotDoIt() async throws {
        let cluster = try KafkaTestCluster()
        let topic = try cluster.topic(partitions: 2)
        try await cluster.produce(10, to: topic)
        let admin = try cluster.admin()
        do {
            _ = try await admin.resetOffsets(group: "replay-time", topics: [topic], to: .time(Date(timeIntervalSinceNow: -3600)),
                                             whenMembershipUnknown: .proceed)
            XCTFail("expected unsupportedByBroker")
        } catch KafkaError.unsupportedByBroker(let feature, let detail) {
            XCTAssertTrue(feature.contains("offsets-for-times"), feature)
            XCTAssertTrue("\(KafkaError.unsupportedByBroker(feature: feature, detail: detail))".contains("not supported by this broker"))
        }
    }

    func testAResetRefusesWhenTheBrokerCannotSayWhetherTheGroupIsIdle() async throws {
        let cluster = try KafkaTestCluster()
        let topic = try cluster.topic(partitions: 1)
        let admin = try cluster.admin()
        do {
            _ = try await admin.resetOffsets(group: "unverifiable", topics: [topic], to: .latest, timeout: .seconds(3))
            XCTFail("expected groupMembershipUnknown")
        } catch KafkaError.groupMembershipUnknown(let group, _) {
            XCTAssertEqual(group, "unverifiable")
        }
    }
}
