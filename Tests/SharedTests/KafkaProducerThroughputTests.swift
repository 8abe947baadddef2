import Foundation
import Shared
import XCTest

final class KafkaProducerThroughputTests: XCTestCase {
    /// Not a benchmark (see Benchmarks/), a guard: the poller needs well over 20,000 records/s, so a
    /// regression to per-record round trips shows up here. Measured after the producer is warm.
    func testTheProducerPublishesAtLeastTwentyThousandRecordsPerSecond() async throws {
        let cluster = try KafkaTestCluster()
        let topic = try cluster.topic(partitions: 4)
        let producer = try cluster.producer()
        _ = try await producer.send(topic: topic, key: "warm-up", value: Data("{}".utf8))
        let value = Data(String(repeating: "x", count: 400).utf8)
        let total = 60_000
        let clock = ContinuousClock()
        let started = clock.now
        for chunk in stride(from: 0, to: total, by: 1_000) {
            let messages = (chunk..<chunk + 1_000).map {
                KafkaOutgoingMessage(topic: topic, key: "demo/e100/GLDETAIL/\($0)", value: value)
            }
            _ = try await producer.send(messages)
        }
        let elapsed = clock.now - started
        await producer.close()
        let rate = Double(total) / elapsed.seconds
        print("published \(total) records of \(value.count) bytes in \(elapsed): \(Int(rate)) records/s")
        XCTAssertGreaterThan(rate, 20_000)
    }
}
