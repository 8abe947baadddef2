import Foundation
import Logging
import Catalog
import Kafka
import RecordContract
import Timestamps
import Operations

/// Deletes seen in Intacct's audit trail: AUDITHISTORY rows with ACCESSMODE `D` for the stream's object
/// become tombstones (reason `audit-trail`, deleted-at = ACCESSTIME). The trail has its own watermark
/// (`<entity>/<OBJECT>/AUDITHISTORY`), re-read with the same overlap.
///
/// AUDITHISTORY pages fail now and then (DL02000001, "There was an error processing the request."). A
/// failed page is retried with backoff; if it keeps failing, the pass stops *before* it, so the watermark
/// never moves past a page that was not read, and the next run starts there again.
struct AuditTrailDeletes {
    static let reason = "audit-trail"

    let context: PollerContext
    let target: PollTarget

    var stream: String { "\(target.object.name)/AUDITHISTORY" }

    func run(into report: inout StreamRunReport) async throws {
        let before = await context.watermarks.current(entity: target.entity, stream: stream)
        var current = before
        let start: (time: String, key: String?)? = before.map { (context.rewound($0.whenModified), nil) }
        let audit = ObjectCatalog.auditHistory
        let pager = KeysetPager(
            client: context.client, object: audit.name, fields: audit.fieldNames, timeField: "ACCESSTIME", keyField: "ID",
            conditions: [.equalTo("OBJECTTYPE", target.object.name.lowercased()), .equalTo("ACCESSMODE", "D")],
            entity: target.sessionEntity, pageSize: context.pageSize
        )
        var tombstones = 0
        // ACCESSTIME is the API user's local time, like every Intacct TIMESTAMP; deleted-at is UTC.
        let timeZone = try await context.client.timeZone(entity: target.sessionEntity)
        try await withRetries {
            try await pager.run(start: current.map { (context.rewound($0.whenModified), nil) } ?? start) { page in
                var messages: [KafkaOutgoingMessage] = []
                for row in page.rows {
                    guard row["ACCESSMODE"] == "D", row["OBJECTTYPE"]?.lowercased() == target.object.name.lowercased(),
                          let recordNo = row["OBJECTKEY"], !recordNo.isEmpty else { continue }
                    // A top-level read sees every entity's trail; keep the rows of this stream's entity only.
                    let owner = (row["MEGAENTITYID"] ?? "").isEmpty ? RecordKey.topLevelEntity : row["MEGAENTITYID"]!
                    guard owner == target.entity || target.object.level == .top else { continue }
                    let deletedAt = row["ACCESSTIME"].flatMap(timeZone.rfc3339(fromLocal:)) ?? context.timestamp
                    let key = RecordKey(company: context.company, entity: target.entity, object: target.object.name, recordNo: recordNo)
                    messages.append(context.publisher.tombstone(for: key, reason: Self.reason, deletedAt: deletedAt))
                }
                try await context.publisher.publish(messages)
                tombstones += messages.count
                PollerMetrics.tombstonesPublished(entity: target.entity, object: target.object.name, reason: Self.reason, count: messages.count)
                if let last = page.last {
                    let candidate = Watermark(entity: target.entity, stream: stream, whenModified: last.time, recordNo: last.key,
                                              updatedAt: context.timestamp,
                                              totalRecords: (current?.totalRecords ?? 0) + messages.count, runRecords: tombstones)
                    if current.map({ candidate.isAfter($0) }) ?? true {
                        try await context.watermarks.store(candidate)
                        current = candidate
                    }
                }
                return !context.shutdown.isRequested
            }
        }
        report.tombstones += tombstones
    }

    /// Runs `body` again (from the watermark it has reached) when an AUDITHISTORY page fails with a
    /// result error; other errors, and the last failure, go to the caller.
    private func withRetries(_ body: () async throws -> Void) async throws {
        var attempt = 0
        while true {
            do {
                return try await body()
            } catch let error as IntacctError {
                guard case .resultFailed = error, context.auditRetry.allowsRetry(after: attempt), !context.shutdown.isRequested else { throw error }
                PollerMetrics.retry(reason: "audit_history_page")
                context.logger.warning("AUDITHISTORY page failed; retrying", metadata: [
                    "stream": "\(target.id)", "attempt": "\(attempt + 1)", "error": "\(error)",
                ])
                try await context.clock.sleep(for: context.auditRetry.delay(attempt: attempt))
                attempt += 1
            }
        }
    }
}
