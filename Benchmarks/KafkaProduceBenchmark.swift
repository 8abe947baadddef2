import Foundation
import DevBroker
import Kafka

/// How fast the idempotent producer (acks=all) publishes envelope-sized records in batches of 1,000,
/// into the dev broker in this process. The poller's budget is ≥ 20,000 records/s end to end, so the
/// producer alone must leave most of it for reading Intacct.
enum KafkaProduceBenchmark {
    static func main(_ arguments: [String]) async throws {
        let total = arguments.first.flatMap(Int.init) ?? 200_000
        let broker = try DevBroker()
        defer { broker.stop() }
        let topic = "intacct.demo.e100.gldetail"
        try broker.createTopic(topic, partitions: 4)
        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrap: broker.bootstrapServers))
        _ = try await producer.send(topic: topic, key: "warm-up", value: Data("{}".utf8))
        let value = Data(String(repeating: "x", count: 600).utf8)  // a GLDETAIL envelope is ~600 bytes
        let clock = ContinuousClock()
        let started = clock.now
        for chunk in stride(from: 0, to: total, by: 1_000) {
            let messages = (chunk..<min(total, chunk + 1_000)).map {
                KafkaOutgoingMessage(topic: topic, key: "DEMO/E100/GLDETAIL/\($0)", value: value)
            }
            _ = try await producer.send(messages)
        }
        let seconds = Double((clock.now - started).components.seconds) + Double((clock.now - started).components.attoseconds) / 1e18
        await producer.close()
        let megabytes = Double(total * value.count) / 1_048_576
        print(String(format: "kafka-produce: %d records (%.0f MB) in %.2f s: %.0f records/s, %.1f MB/s, peak RSS %.0f MB",
                     total, megabytes, seconds, Double(total) / seconds, megabytes / seconds, PeakMemory.megabytes))
    }
}
