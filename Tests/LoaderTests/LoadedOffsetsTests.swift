import Foundation
import Kafka
import XCTest
@testable import Loader

final class LoadedOffsetsTests: XCTestCase {
    func testARowIsLeftOutOnlyWhenBigQueryHoldsThatVersionAtThatOffset() {
        let mine = RowIdentity.fingerprint(key: "demo/E100/APBILL/1", contentSHA256: "aa")
        let changed = RowIdentity.fingerprint(key: "demo/E100/APBILL/1", contentSHA256: "bb")
        let tombstone = RowIdentity.fingerprint(key: "demo/E100/APBILL/1", contentSHA256: nil)
        var loaded = LoadedOffsets(highest: 150)
        XCTAssertTrue(loaded.needsWindow(for: 100))
        XCTAssertFalse(loaded.needsWindow(for: 151), "nothing is held above the highest offset")
        loaded.load(window: 100..<140, identities: [100: [mine], 101: [tombstone], 120: [changed, mine]])
        XCTAssertFalse(loaded.needsWindow(for: 139))
        XCTAssertTrue(loaded.needsWindow(for: 140))
        XCTAssertEqual(loaded.verdict(at: 100, identity: mine), .loaded)
        XCTAssertEqual(loaded.verdict(at: 101, identity: tombstone), .loaded)
        XCTAssertEqual(loaded.verdict(at: 120, identity: mine), .loaded)
        XCTAssertEqual(loaded.verdict(at: 100, identity: changed), .other, "another version at that offset is written, never skipped")
        XCTAssertEqual(loaded.verdict(at: 102, identity: mine), .absent, "a hole a partly written batch left is filled")
        XCTAssertEqual(loaded.verdict(at: 145, identity: mine), .absent, "outside the window nothing is assumed")
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

    func testTheChecksFilterOnKafkaCoordinatesAloneAndQuoteTopics() {
        let partition = KafkaTopicPartition(topic: "a'b", partition: 2)
        let highest = LoadedOffsetCheck.highestSQL(table: "`p.d.apbill`", starts: [partition: 100])
        XCTAssertTrue(highest.contains("WHERE (_kafka_topic = 'a\\'b' AND _kafka_partition = 2 AND _kafka_offset >= 100)"), highest)
        let identities = LoadedOffsetCheck.identitiesSQL(table: "`p.d.apbill`", windows: [partition: 100..<200], hasContentHash: true)
        XCTAssertTrue(identities.contains("WHERE (_kafka_topic = 'a\\'b' AND _kafka_partition = 2 AND _kafka_offset >= 100 AND _kafka_offset < 200)"),
                      identities)
        XCTAssertTrue(identities.contains("_content_sha256 AS content_sha256"), identities)
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
        let left = batcher.takeDue(at: now, force: true)["apbill", default: []].flatMap(\.rows).map { $0.row?.insertID }
        XCTAssertEqual(left, ["0-1", "1-1", "1-2"])
    }
}
