import Foundation
import Kafka
import TestSupport
import XCTest

final class KafkaRoundTripTests: XCTestCase {
    func testATombstoneWithAHeaderRoundTripsAndDeliveryReportsCarryPartitionAndOffset() async throws {
        let cluster = try KafkaTestCluster()
        let topic = try cluster.topic(partitions: 1)
        let producer = try cluster.producer()
        let first = try await producer.send(topic: topic, key: "demo/e100/APBILL/1", value: Data("{}".utf8))
        let tombstone = try await producer.send(topic: topic, key: "demo/e100/APBILL/1", value: nil,
                                                headers: [KafkaHeader(name: "deleted-by", string: "audit-trail"),
                                                          KafkaHeader(name: "null-header", value: nil)])
        await producer.close()
        XCTAssertEqual(first, KafkaCoordinates(topic: topic, partition: 0, offset: 0))
        XCTAssertEqual(tombstone, KafkaCoordinates(topic: topic, partition: 0, offset: 1))

        let consumer = try cluster.consumer(group: "roundtrip")
        try consumer.subscribe(topics: [topic])
        var received: [KafkaMessage] = []
        try await eventually("both records arrive", timeout: .seconds(90)) {
            received += try await consumer.poll(timeout: .milliseconds(200))
            return received.count >= 2
        }
        try await consumer.close()
        XCTAssertEqual(received.count, 2)
        XCTAssertEqual(received[0].value, Data("{}".utf8))
        XCTAssertNil(received[1].value, "a tombstone has a null value, not an empty one")
        XCTAssertEqual(received[1].keyString, "demo/e100/APBILL/1")
        XCTAssertEqual(received[1].offset, tombstone.offset)
        XCTAssertEqual(received[1].header("deleted-by")?.value, Data("audit-trail".utf8))
        XCTAssertEqual(received[1].headers.count, 2)
        XCTAssertNil(received[1].header("null-header")?.value)
        XCTAssertNotNil(received[1].timestamp)
    }

    /// A poll's keys and values share one buffer (`RDKafkaMessageReader.messages`): each must still be
    /// exactly its own bytes, whatever its neighbours' sizes, with null and empty kept apart.
    func testEveryKeyAndValueOfAPollComesBackExactlyBesideItsNeighbours() async throws {
        let cluster = try KafkaTestCluster()
        let topic = try cluster.topic(partitions: 1)
        let producer = try cluster.producer()
        let sent: [(key: String, value: Data?)] = [
            ("demo/e100/APBILL/1", Data("{\"a\":1}".utf8)),
            ("demo/e100/APBILL/2", Data()),
            ("demo/e100/APBILL/3", nil),
            ("demo/e100/APBILL/40000", Data((0..<70_000).map { UInt8(truncatingIfNeeded: $0 % 251) })),
            ("k", Data("x".utf8)),
        ]
        for (key, value) in sent { _ = try await producer.send(topic: topic, key: key, value: value) }
        await producer.close()

        let consumer = try cluster.consumer(group: "one-buffer")
        try consumer.subscribe(topics: [topic])
        var received: [KafkaMessage] = []
        try await eventually("every record arrives", timeout: .seconds(90)) {
            received += try await consumer.poll(maxMessages: 100, timeout: .milliseconds(200))
            return received.count >= sent.count
        }
        try await consumer.close()
        XCTAssertEqual(received.map(\.keyString), sent.map(\.key))
        XCTAssertEqual(received.map(\.value), sent.map(\.value))
        XCTAssertEqual(received[1].value?.count, 0, "an empty value stays empty, not null")
        XCTAssertNil(received[2].value, "a tombstone stays null")
        // Read through its own indices, as a slice must be.
        let large = try XCTUnwrap(received[3].value)
        XCTAssertEqual(large[large.startIndex + 251], 0)
        XCTAssertEqual(large.withUnsafeBytes { Array($0.prefix(3)) }, [0, 1, 2])
    }

    func testSendingToAClosedProducerFailsInsteadOfHanging() async throws {
        let cluster = try KafkaTestCluster()
        let producer = try cluster.producer()
        await producer.close()
        do {
            _ = try await producer.send(topic: "t", key: "k", value: nil)
            XCTFail("expected KafkaError.closed")
        } catch KafkaError.closed {}
    }

    func testEnsureTopicsFallsBackToAutoCreationOnTheMockAndReportsPartitions() async throws {
        let cluster = try KafkaTestCluster()
        let admin = try cluster.admin()
        let name = "intacct.demo.e100.apbill"
        try await admin.ensureTopics([name], partitions: 3, config: ["cleanup.policy": "compact"])
        try await eventually("the topic is listed", timeout: .seconds(90)) { try await admin.listTopics().contains(name) }
        let count = try await admin.partitionCount(topic: name)
        XCTAssertEqual(count, 4, "the 2.0.2 mock auto-creates with 4 partitions whatever was asked")
        // Ensuring again is a no-op, not an error.
        try await admin.ensureTopics([name], partitions: 3)
        do {
            _ = try await admin.partitionCount(topic: "no.such.topic")
            XCTFail("expected unknownTopic")
        } catch KafkaError.unknownTopic(let topic) { XCTAssertEqual(topic, "no.such.topic") }
    }

    func testAFullLocalQueueIsWaitedOutInsteadOfFailingTheSend() async throws {
        let cluster = try KafkaTestCluster()
        let topic = try cluster.topic(partitions: 2)
        var configuration = cluster.configuration
        // A tiny local queue forces _QUEUE_FULL long before the batch is enqueued.
        configuration.properties = ["queue.buffering.max.messages": "50"]
        let producer = try KafkaProducer(configuration: configuration, logger: cluster.logger)
        let messages = (0..<2_000).map { KafkaOutgoingMessage(topic: topic, key: "k-\($0)", value: Data("\($0)".utf8)) }
        let reports = try await producer.send(messages)
        await producer.close()
        XCTAssertEqual(reports.count, 2_000)
        XCTAssertEqual(Set(reports.map { "\($0.partition)/\($0.offset)" }).count, 2_000)
    }

    func testARegexSubscriptionPicksUpEveryMatchingTopic() async throws {
        let cluster = try KafkaTestCluster()
        let prefix = "intacct.regex\(UUID().uuidString.prefix(6).lowercased())"
        let apbill = "\(prefix).e100.apbill", glentry = "\(prefix).e100.glentry", other = "\(prefix).e200.apbill"
        for topic in [apbill, glentry, other] { try cluster.broker.createTopic(topic, partitions: 1) }
        try await cluster.produce(3, to: apbill)
        try await cluster.produce(3, to: glentry)
        try await cluster.produce(3, to: other)
        let consumer = try cluster.consumer(group: "regex")
        try consumer.subscribe(topics: ["^" + prefix.replacingOccurrences(of: ".", with: "\\.") + "\\.e100\\..*"])
        var received: [KafkaMessage] = []
        try await eventually("both e100 topics deliver", timeout: .seconds(90)) {
            received += try await consumer.poll(timeout: .milliseconds(200))
            return received.count >= 6
        }
        try await consumer.close()
        XCTAssertEqual(Set(received.map(\.topic)), [apbill, glentry])
    }
}
