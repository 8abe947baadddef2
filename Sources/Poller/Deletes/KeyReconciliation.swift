import Foundation
import Logging
import RecordContract
import Timestamps

/// Finds deletes the audit trail cannot show: every key still live in the stream's topic (latest value
/// per key, tombstones removed) that Intacct no longer lists gets a tombstone with reason
/// `reconciliation`.
///
/// Intacct is read for keys only (RECORDNO, WHENMODIFIED) in large keyset pages, in the same
/// (WHENMODIFIED, RECORDNO) order as incremental reads: a record modified during the scan moves to the
/// end and is seen there, where offset paging could skip a row and tombstone a record that exists.
/// The topic is read first, so a record created during the scan is never a candidate. Runs under the
/// stream's run lock, so no incremental run publishes into the topic meanwhile.
struct KeyReconciliation {
    static let reason = "reconciliation"

    let context: PollerContext
    let target: PollTarget

    func run(into report: inout StreamRunReport) async throws {
        let topic = context.publisher.topics.records(entity: target.entity, object: target.object.name)
        var live = Set<String>()
        try await context.snapshots.scan(topic: topic) { message in
            guard let key = message.keyString.flatMap(RecordKey.init(parsing:)) else { return }
            if message.value == nil { live.remove(key.recordNo) } else { live.insert(key.recordNo) }
        }
        // An object without WHENMODIFIED (read as snapshots) is scanned in key order alone.
        let timeField: String? = target.readsSnapshots ? nil : "WHENMODIFIED"
        let pager = KeysetPager(client: context.client, object: target.object.name, fields: [target.object.keyField] + (timeField.map { [$0] } ?? []),
                                timeField: timeField, keyField: target.object.keyField, conditions: [],
                                entity: target.sessionEntity, pageSize: context.keyPageSize)
        var completed = false
        try await pager.run(start: nil) { page in
            for row in page.rows {
                if let key = row[target.object.keyField] { live.remove(key) }
            }
            if page.numRemaining <= 0 { completed = true }
            // Stopping half-way is fine: nothing was tombstoned yet.
            return !context.shutdown.isRequested
        }
        // Only a complete scan may say a key is gone.
        guard completed else { return }
        let deletedAt = context.timestamp
        let messages = live.sorted().map { recordNo in
            context.publisher.tombstone(
                for: RecordKey(company: context.company, entity: target.entity, object: target.object.name, recordNo: recordNo),
                reason: Self.reason, deletedAt: deletedAt)
        }
        try await context.publisher.publish(messages)
        report.tombstones += messages.count
        PollerMetrics.tombstonesPublished(entity: target.entity, object: target.object.name, reason: Self.reason, count: messages.count)
        if !messages.isEmpty {
            context.logger.info("reconciliation tombstoned keys Intacct no longer lists", metadata: [
                "stream": "\(target.id)", "count": "\(messages.count)",
            ])
        }
    }
}
