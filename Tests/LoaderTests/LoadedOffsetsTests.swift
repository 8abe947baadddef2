import Foundation
import Kafka
import XCTest
@testable import Loader

final class LoadedOffsetsTests: XCTestCase {
    func testRunsAreSortedAndMergedAndAnswerMembershipExactly() {
        let loaded = LoadedOffsets(runs: [20...29, 5...9, 10...12, 40...40, 25...31])
        XCTAssertEqual(loaded.runs, [5...12, 20...31, 40...40])
        XCTAssertEqual(loaded.count, 21)
        XCTAssertEqual(loaded.upperBound, 40)
        for offset: Int64 in [5, 9, 12, 20, 31, 40] { XCTAssertTrue(loaded.contains(offset), "\(offset)") }
        for offset: Int64 in [0, 4, 13, 19, 32, 39, 41] { XCTAssertFalse(loaded.contains(offset), "\(offset)") }
        XCTAssertFalse(LoadedOffsets().contains(0))
    }

    func testAFailedBatchIsCheckedAgainFromItsFirstOffsetPerPartition() {
        var batch = LoadBatch(table: "apbill")
        let now = ContinuousClock.now
        for (partition, offset) in [(0, 7), (1, 3), (0, 8), (1, 4)] as [(Int32, Int64)] {
            batch.append(PendingRow(row: InsertAllRow(insertID: "\(partition)-\(offset)", json: Data("{}".utf8)),
                                    source: KafkaCoordinates(topic: "t", partition: partition, offset: offset)), at: now)
        }
        XCTAssertTrue(batch.readStarts.isEmpty)
        let again = batch.requiringCheck()
        XCTAssertEqual(again.readStarts, [KafkaTopicPartition(topic: "t", partition: 0): 7, KafkaTopicPartition(topic: "t", partition: 1): 3])
    }

    func testEntriesOfPartitionsNoLongerOwnedAreDroppedBeforeAWrite() {
        var batch = LoadBatch(table: "apbill")
        let now = ContinuousClock.now
        for partition: Int32 in [0, 1, 1] {
            batch.append(PendingRow(row: InsertAllRow(insertID: "\(partition)", json: Data("{}".utf8)),
                                    source: KafkaCoordinates(topic: "t", partition: partition, offset: 1)), at: now)
        }
        batch.noteReadStart(KafkaTopicPartition(topic: "t", partition: 1), at: 1)
        XCTAssertEqual(batch.retain(owned: [KafkaTopicPartition(topic: "t", partition: 0)]), 2)
        XCTAssertEqual(batch.rows.map(\.source.partition), [0])
        XCTAssertTrue(batch.readStarts.isEmpty)
    }

    func testTheCheckFiltersOnKafkaCoordinatesAloneAndQuotesTopics() {
        let sql = LoadedOffsetCheck.sql(table: "`p.d.apbill`", starts: [KafkaTopicPartition(topic: "a'b", partition: 2): 100])
        XCTAssertTrue(sql.contains("(_kafka_topic = 'a\\'b' AND _kafka_partition = 2 AND _kafka_offset >= 100)"), sql)
        XCTAssertTrue(sql.contains("FROM `p.d.apbill`"), sql)
    }
}

final class RewindTests: XCTestCase {
    func testARewoundPartitionLosesItsHeldEntriesFromTheRewindOnAndNothingElse() {
        var batcher = TableBatcher(policy: BatchPolicy(maxRows: 2))
        let now = ContinuousClock.now
        for (partition, offset) in [(0, 1), (0, 2), (1, 1), (0, 3), (1, 2)] as [(Int32, Int64)] {
            batcher.add(PendingRow(row: InsertAllRow(insertID: "\(partition)-\(offset)", json: Data("{}".utf8)),
                                   source: KafkaCoordinates(topic: "t", partition: partition, offset: offset)), table: "apbill", at: now)
        }
        XCTAssertEqual(batcher.discard(KafkaTopicPartition(topic: "t", partition: 0), from: 2), 2)
        let left = batcher.takeDue(at: now, force: true)["apbill", default: []].flatMap(\.rows).map(\.row.insertID)
        XCTAssertEqual(left, ["0-1", "1-1", "1-2"])
    }
}
