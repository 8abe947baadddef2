import Foundation
import Kafka
import TestSupport
import XCTest

final class KafkaConsumerGroupTests: XCTestCase {
    func testTwoMembersOfOneGroupConsumeTenThousandKeyedRecordsExactlyOnceBetweenThem() async throws {
        let cluster = try KafkaTestCluster()
        let topic = try cluster.topic(partitions: 4)
        let first = try cluster.consumer(group: "loaders")
        let second = try cluster.consumer(group: "loaders")
        try first.subscribe(topics: [topic])
        try second.subscribe(topics: [topic])
        try await waitForAssignment(first, second)
        let assignments = try (first.assignment(), second.assignment())
        XCTAssertTrue(assignments.0.isDisjoint(with: assignments.1))
        XCTAssertEqual(assignments.0.count + assignments.1.count, 4)

        let started = ContinuousClock.now
        let reports = try await cluster.produce(10_000, to: topic)
        let elapsed = ContinuousClock.now - started
        print("produced 10,000 records in \(elapsed) (\(Int(10_000 / elapsed.seconds)) records/s incl. producer start/close)")
        XCTAssertEqual(Set(reports.map { "\($0.partition)/\($0.offset)" }).count, 10_000, "every record has its own position")

        let ledger = KafkaProcessedLedger()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (name, consumer) in [("first", first), ("second", second)] {
                group.addTask {
                    try await eventually("all records consumed", timeout: .seconds(90), every: .milliseconds(1)) {
                        let batch = try await consumer.poll(maxMessages: 500, timeout: .milliseconds(100))
                        await ledger.record(batch, by: name)
                        for message in batch { consumer.markProcessed(message) }
                        try await consumer.commitMarked()
                        return await ledger.total >= 10_000
                    }
                }
            }
            try await group.waitForAll()
        }
        try await first.close()
        try await second.close()
        let total = await ledger.total
        let duplicates = await ledger.duplicates
        let byConsumer = await ledger.byConsumer
        XCTAssertEqual(total, 10_000)
        XCTAssertEqual(duplicates, [])
        let keys = Set(await ledger.counts.keys)
        XCTAssertEqual(keys, Set((0..<10_000).map { "key-\($0)" }))
        XCTAssertGreaterThan(byConsumer["first"] ?? 0, 0, "both members consumed: \(byConsumer)")
        XCTAssertGreaterThan(byConsumer["second"] ?? 0, 0, "both members consumed: \(byConsumer)")
    }

    func testANewMemberResumesExactlyAtTheCommittedOffset() async throws {
        let cluster = try KafkaTestCluster()
        let topic = try cluster.topic(partitions: 1)
        try await cluster.produce(100, to: topic)

        let first = try cluster.consumer(group: "resume")
        try first.subscribe(topics: [topic])
        var consumed: [KafkaMessage] = []
        try await eventually("40 records consumed", timeout: .seconds(90)) {
            consumed += try await first.poll(maxMessages: 40 - consumed.count, timeout: .milliseconds(200))
            return consumed.count == 40
        }
        for message in consumed { first.markProcessed(message) }
        try await first.close()
        XCTAssertEqual(consumed.map(\.offset), Array(0..<40))

        let second = try cluster.consumer(group: "resume")
        try second.subscribe(topics: [topic])
        var rest: [KafkaMessage] = []
        try await eventually("the remaining 60 records arrive", timeout: .seconds(90)) {
            rest += try await second.poll(timeout: .milliseconds(200))
            return rest.count >= 60
        }
        let lag = try await second.lag()
        try await second.close()
        XCTAssertEqual(rest.map(\.offset), Array(40..<100), "nothing skipped, nothing before the commit redelivered")
        XCTAssertEqual(lag[KafkaTopicPartition(topic: topic, partition: 0)]?.highWatermark, 100)
        XCTAssertEqual(lag[KafkaTopicPartition(topic: topic, partition: 0)]?.committed, 40)
    }

    func testAPausedPartitionDeliversNothingUntilResumedWhileOthersKeepFlowing() async throws {
        let cluster = try KafkaTestCluster()
        let topic = try cluster.topic(partitions: 2)
        let consumer = try cluster.consumer(group: "pause")
        try consumer.subscribe(topics: [topic])
        try await waitForAssignment(consumer)
        let paused = KafkaTopicPartition(topic: topic, partition: 0)
        try consumer.pause([paused])
        try await cluster.produce(50, to: topic, partition: 0, keyPrefix: "p0")
        try await cluster.produce(50, to: topic, partition: 1, keyPrefix: "p1")

        var received: [KafkaMessage] = []
        try await eventually("partition 1 delivers all its records", timeout: .seconds(90)) {
            received += try await consumer.poll(timeout: .milliseconds(100))
            return received.filter { $0.partition == 1 }.count >= 50
        }
        // A few more polls give a wrongly unpaused partition every chance to show up.
        for _ in 0..<5 { received += try await consumer.poll(timeout: .milliseconds(100)) }
        XCTAssertEqual(received.filter { $0.partition == 0 }.count, 0, "nothing from the paused partition")
        XCTAssertEqual(received.filter { $0.partition == 1 }.map(\.offset), Array(0..<50))

        try consumer.resume([paused])
        var resumed: [KafkaMessage] = []
        try await eventually("the paused partition's records arrive after resume", timeout: .seconds(90)) {
            resumed += try await consumer.poll(timeout: .milliseconds(100))
            return resumed.count >= 50
        }
        try await consumer.close()
        XCTAssertEqual(resumed.map(\.partition), Array(repeating: 0, count: 50))
        XCTAssertEqual(resumed.map(\.offset), Array(0..<50))
    }

    func testARebalanceWhenASecondMemberJoinsLosesAndDuplicatesNothingMarkedProcessed() async throws {
        let cluster = try KafkaTestCluster()
        let topic = try cluster.topic(partitions: 4)
        try await cluster.produce(4_000, to: topic)
        let ledger = KafkaProcessedLedger()
        let first = try cluster.consumer(group: "rebalance")
        let second = try cluster.consumer(group: "rebalance")
        try first.subscribe(topics: [topic])

        // The loader's loop: process a batch, mark it, commit. A commit refused because the group
        // is rebalancing is fine: the marks stay and are committed before the partitions move.
        @Sendable func step(_ consumer: KafkaConsumer, as name: String) async throws {
            let batch = try await consumer.poll(maxMessages: 20, timeout: .milliseconds(100))
            await ledger.record(batch, by: name)
            for message in batch { consumer.markProcessed(message) }
            do { try await consumer.commitMarked() } catch let error as KafkaError where error.isMembershipRejection {}
        }

        try await eventually("the first member is part-way through", timeout: .seconds(90)) {
            try await step(first, as: "first")
            return await ledger.total >= 200
        }
        // Hold the first member mid-stream (it keeps its partitions and keeps polling) so the join
        // lands while it still has most records to go.
        try first.pause(Array(try first.assignment()))
        let atJoin = await ledger.total
        try second.subscribe(topics: [topic])
        try await eventually("the second member takes over partitions", timeout: .seconds(90)) {
            try await step(first, as: "first")
            try await step(second, as: "second")
            return try !second.assignment().isEmpty && !first.assignment().isEmpty
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (name, consumer) in [("first", first), ("second", second)] {
                group.addTask {
                    try await eventually("all records processed", timeout: .seconds(90), every: .milliseconds(1)) {
                        try await step(consumer, as: name)
                        return await ledger.total >= 4_000
                    }
                }
            }
            try await group.waitForAll()
        }
        try await first.close()
        try await second.close()
        let duplicates = await ledger.duplicates
        let total = await ledger.total
        let byConsumer = await ledger.byConsumer
        XCTAssertLessThan(atJoin, 4_000)
        XCTAssertEqual(duplicates, [], "records processed twice across the rebalance")
        XCTAssertEqual(total, 4_000)
        XCTAssertGreaterThan(byConsumer["second"] ?? 0, 0, "\(byConsumer)")
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
