import Foundation
import Loader
import Cryptography
import Kafka
import XCTest

final class BatchingTests: XCTestCase {
    private func row(_ offset: Int64, partition: Int32 = 0, bytes: Int = 100) -> PendingRow {
        PendingRow(row: InsertAllRow(insertID: "id\(offset)", json: Data(repeating: UInt8(ascii: "x"), count: bytes)),
                   source: KafkaCoordinates(topic: "intacct.demo.e100.apbill", partition: partition, offset: offset))
    }

    func testTheInsertIdIsTheSameForTheSameVersionAndDiffersOtherwise() {
        let a = InsertID.forVersion(key: "DEMO/E100/APBILL/1", whenModified: "2026-01-31T12:00:00Z", contentSHA256: "abc")
        XCTAssertEqual(a, InsertID.forVersion(key: "DEMO/E100/APBILL/1", whenModified: "2026-01-31T12:00:00Z", contentSHA256: "abc"))
        XCTAssertEqual(a, SHA256.hex("DEMO/E100/APBILL/1|2026-01-31T12:00:00Z|abc"))
        XCTAssertNotEqual(a, InsertID.forVersion(key: "DEMO/E100/APBILL/1", whenModified: "2026-01-31T12:00:01Z", contentSHA256: "abc"))
        XCTAssertNotEqual(a, InsertID.forTombstone(key: "DEMO/E100/APBILL/1", deletedAt: "2026-01-31T12:00:00Z"))
        XCTAssertEqual(a.count, 64)
    }

    func testABatchIsFullAtItsRowOrByteLimit() {
        let policy = BatchPolicy(maxRows: 3, maxBytes: 1000, linger: .seconds(60))
        let now = ContinuousClock.now
        var batch = LoadBatch(table: "apbill")
        for offset in 0..<3 {
            XCTAssertFalse(policy.isFull(batch, adding: row(Int64(offset))))
            batch.append(row(Int64(offset)), at: now)
        }
        XCTAssertTrue(policy.isFull(batch, adding: row(3)))
        XCTAssertTrue(policy.isDue(batch, at: now), "a full batch is due before its linger time")

        var big = LoadBatch(table: "apbill")
        big.append(row(0, bytes: 600), at: now)
        XCTAssertTrue(policy.isFull(big, adding: row(1, bytes: 600)), "a second 600-byte row would pass 1000 bytes")
        XCTAssertFalse(policy.isFull(LoadBatch(table: "apbill"), adding: row(0, bytes: 5000)),
                       "an oversized row still gets a batch of its own")
    }

    func testABatchIsDueAfterTheLingerTime() {
        let policy = BatchPolicy(maxRows: 500, maxBytes: 1 << 20, linger: .seconds(1))
        var batch = LoadBatch(table: "apbill")
        let start = ContinuousClock.now
        XCTAssertFalse(policy.isDue(batch, at: start + .seconds(3600)), "an empty batch is never due")
        batch.append(row(0), at: start)
        XCTAssertFalse(policy.isDue(batch, at: start + .milliseconds(999)))
        XCTAssertTrue(policy.isDue(batch, at: start + .seconds(1)))
    }

    func testTheOpenBatchLeavesWhenTheLingerSinceItsFirstRowHasPassedAndNotBefore() {
        var batcher = TableBatcher(policy: BatchPolicy(maxRows: 500, maxBytes: 1 << 20, linger: .milliseconds(200)))
        let start = ContinuousClock.now
        XCTAssertNil(batcher.nextDeadline, "nothing open, nothing to wait for")
        batcher.add(row(0), table: "apbill", at: start)
        batcher.add(row(1), table: "apbill", at: start + .milliseconds(150))
        XCTAssertEqual(batcher.nextDeadline, start + .milliseconds(200), "the linger counts from the first row")
        XCTAssertTrue(batcher.takeDue(at: start + .milliseconds(199)).isEmpty)
        XCTAssertEqual(batcher.takeDue(at: start + .milliseconds(200))["apbill"]?.map(\.rows.count), [2])
        XCTAssertTrue(batcher.isEmpty)
    }

    func testCommitOffsetsAreOnePastTheLastRowOfEachPartition() {
        var batch = LoadBatch(table: "apbill")
        let now = ContinuousClock.now
        for (offset, partition) in [(10, 0), (11, 0), (7, 1), (12, 0), (8, 1)] { batch.append(row(Int64(offset), partition: Int32(partition)), at: now) }
        XCTAssertEqual(batch.commitOffsets, [
            KafkaTopicPartition(topic: "intacct.demo.e100.apbill", partition: 0): 13,
            KafkaTopicPartition(topic: "intacct.demo.e100.apbill", partition: 1): 9,
        ])
    }

    func testCommitOffsetsAndRowPartitionsFollowEveryWayEntriesLeaveABatch() {
        func partition(_ number: Int32) -> KafkaTopicPartition { KafkaTopicPartition(topic: "intacct.demo.e100.apbill", partition: number) }
        var batch = LoadBatch(table: "apbill")
        let now = ContinuousClock.now
        for (offset, partition) in [(10, 0), (11, 0), (7, 1), (12, 0), (8, 1), (20, 2)] { batch.append(row(Int64(offset), partition: Int32(partition)), at: now) }
        batch.append(DeadLetter(reason: .undecodable, detail: "x", table: "apbill",
                                source: KafkaCoordinates(topic: "intacct.demo.e100.apbill", partition: 3, offset: 4), key: nil, original: nil), at: now)
        XCTAssertEqual(batch.rowPartitions, [partition(0), partition(1), partition(2)], "dead letters are not rows")
        XCTAssertEqual(batch.commitOffsets, [partition(0): 13, partition(1): 9, partition(2): 21, partition(3): 5])

        XCTAssertEqual(batch.retain(owned: [partition(0), partition(1), partition(2), partition(3)]), 0)
        XCTAssertEqual(batch.entryCount, 7)
        XCTAssertEqual(batch.removeRows { $0.source.partition == 2 }, 1)
        XCTAssertEqual(batch.rowPartitions, [partition(0), partition(1)])
        XCTAssertEqual(batch.commitOffsets, [partition(0): 13, partition(1): 9, partition(3): 5])
        XCTAssertEqual(batch.discard(partition(0), from: 12), 1)
        XCTAssertEqual(batch.commitOffsets, [partition(0): 12, partition(1): 9, partition(3): 5])
        XCTAssertEqual(batch.retain(owned: [partition(0)]), 3, "partition 1's rows and partition 3's dead letter")
        XCTAssertEqual(batch.commitOffsets, [partition(0): 12])
        XCTAssertEqual(batch.rowPartitions, [partition(0)])
        batch.append(row(12, partition: 0), at: now)
        XCTAssertEqual(batch.commitOffsets, [partition(0): 13])
    }
}
