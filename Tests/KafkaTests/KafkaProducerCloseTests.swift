import Foundation
import Kafka
import Logging
import TestSupport
import XCTest

final class KafkaProducerCloseTests: XCTestCase {
    func testClosingFlushesEveryEnqueuedRecordBeforeItReturns() async throws {
        let cluster = try KafkaTestCluster()
        let topic = try cluster.topic(partitions: 2)
        let producer = try cluster.producer()
        let delivery = try await producer.enqueue((0..<200).map {
            KafkaOutgoingMessage(topic: topic, key: "key-\($0)", value: Data("value-\($0)".utf8))
        })
        await producer.close()
        // Close returned, so every report was served: awaiting them now cannot wait on the broker.
        let reports = try await delivery.acknowledged()
        XCTAssertEqual(reports.count, 200)
        XCTAssertEqual(Set(reports.map(\.partition)), [0, 1])
    }

    func testClosingAProducerWhoseBrokerIsGoneStopsWaitingWhenItsTaskIsCancelled() async throws {
        var logger = Logger(label: "test.kafka")
        logger.logLevel = .critical
        // Nothing listens on this port: the record can never be acknowledged, so the flush would take
        // its whole timeout.
        let configuration = KafkaConfiguration(bootstrap: "127.0.0.1:\(try freeLoopbackPort())", clientID: "kafka-tests")
        let producer = try KafkaProducer(configuration: configuration, logger: logger)
        _ = try await producer.enqueue([KafkaOutgoingMessage(topic: "intacct.demo.e100.apbill", key: "k", value: Data("{}".utf8))])
        let clock = ContinuousClock()
        let started = clock.now
        let closing = Task { await producer.close(timeout: .seconds(60)) }
        closing.cancel()
        await closing.value
        let waited = clock.now - started
        XCTAssertLessThan(waited, .seconds(10), "a cancelled close waited \(waited) for a broker that is gone")
    }
}
