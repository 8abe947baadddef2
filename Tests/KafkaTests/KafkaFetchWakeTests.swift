import Foundation
@testable import Kafka
import TestSupport
import XCTest

final class KafkaFetchWakeTests: XCTestCase {
    func testAPollThatEmptiesTheQueueWakesTheFetchersOnlyAfterARunOfHalfACap() {
        // Caps of 1,000 records and 10 KB: a run of 500 records or 5,120 bytes may have stopped the fetchers.
        var wake = KafkaFetchWake(queuedMinMessages: 1_000, queuedMaxKilobytes: 10)
        XCTAssertFalse(wake.polled(asked: 100, records: 0, bytes: 0), "an idle consumer's empty polls wake nothing")
        XCTAssertFalse(wake.polled(asked: 100, records: 40, bytes: 4_000), "a trickle that keeps the queue empty wakes nothing")
        XCTAssertFalse(wake.polled(asked: 100, records: 40, bytes: 4_000), "each empty queue starts a new run")
        XCTAssertFalse(wake.polled(asked: 100, records: 100, bytes: 3_000), "a full poll: the queue may hold more")
        XCTAssertTrue(wake.polled(asked: 100, records: 7, bytes: 2_200), "emptied after 5,200 bytes: the fetchers may have stopped")
        XCTAssertFalse(wake.polled(asked: 100, records: 100, bytes: 100))
        for _ in 0..<4 { XCTAssertFalse(wake.polled(asked: 100, records: 100, bytes: 100)) }
        XCTAssertFalse(wake.polled(asked: 100, records: 0, bytes: 0), "500 records, but a wake is still under way")
        wake.finished(answered: true)
        XCTAssertFalse(wake.polled(asked: 100, records: 0, bytes: 0), "that run ended with the last poll")
        for _ in 0..<5 { XCTAssertFalse(wake.polled(asked: 100, records: 100, bytes: 100)) }
        XCTAssertTrue(wake.polled(asked: 100, records: 0, bytes: 0), "500 records since the queue was last empty")
        wake.finished(answered: false)
        XCTAssertEqual(wake.answered, 1, "only wakes the leaders answered count")
    }

    func testLibrdkafkasDefaultCapsApplyWhenTheConsumerSetsNone() {
        var wake = KafkaFetchWake(queuedMinMessages: nil, queuedMaxKilobytes: nil)
        XCTAssertFalse(wake.polled(asked: 60_000, records: 49_999, bytes: 1_000))
        XCTAssertFalse(wake.polled(asked: 60_000, records: 49_999, bytes: 32 * 1024 * 1024 - 1))
        XCTAssertTrue(wake.polled(asked: 60_000, records: 50_000, bytes: 0))
    }

    /// A prefetch cap far below the backlog: librdkafka 2.0 stops fetching at the cap after every
    /// fetch and, unless woken, looks again only when its broker thread next wakes: 1,000 records of
    /// 1 KB, about 20 KB a fetch, took 45 s here without the wake and under 8 s with it (the group join
    /// included). The test checks the wake happened and every record arrived once, in order, not the time.
    func testAConsumerDrainingABacklogPastItsPrefetchCapWakesTheFetchersAndGetsEveryRecordOnce() async throws {
        let cluster = try KafkaTestCluster()
        let topic = try cluster.topic(partitions: 1)
        // Batches of ten records: a broker answers a fetch with whole batches, so one batch of all
        // 1,000 would arrive in one fetch, cap or not.
        var producing = cluster.configuration
        producing.properties["batch.num.messages"] = "10"
        let producer = try KafkaProducer(configuration: producing, logger: cluster.logger)
        let padding = String(repeating: "x", count: 1_000)
        let sent = try await producer.send((0..<1_000).map {
            KafkaOutgoingMessage(topic: topic, key: "key-\($0)", value: Data("\($0):\(padding)".utf8))
        })
        await producer.close()
        XCTAssertEqual(sent.count, 1_000)

        var configuration = cluster.consumerConfiguration
        configuration.properties["queued.max.messages.kbytes"] = "16"
        configuration.properties["fetch.message.max.bytes"] = "16384"
        let consumer = try KafkaConsumer(configuration: configuration, groupID: "fetch-wake", logger: cluster.logger)
        try consumer.subscribe(topics: [topic])
        var received: [KafkaMessage] = []
        try await eventually("every record arrives", timeout: .seconds(120)) {
            received += try await consumer.poll(maxMessages: 50, timeout: .milliseconds(100))
            return received.count >= 1_000
        }
        try await consumer.close()
        XCTAssertEqual(received.map(\.keyString), (0..<1_000).map { "key-\($0)" })
        if KafkaConsumer.wakesFetchersAfterDraining {
            XCTAssertGreaterThan(consumer.fetchWakes, 0, "the queue ran dry at the cap, and no leader was asked anything")
        } else {
            XCTAssertEqual(consumer.fetchWakes, 0, "librdkafka 2.1.1 or later has fetch.queue.backoff.ms instead")
        }
    }
}
