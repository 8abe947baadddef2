import Foundation
import Logging
import Catalog
import Kafka
import RecordContract
import Timestamps
import Operations

/// Deletes seen in Intacct's audit trail: AUDITHISTORY rows with ACCESSMODE `D` for the stream's object
/// become tombstones (reason `audit-trail`, deleted-at = ACCESSTIME). The trail has its own watermark
/// (`<entity>/<OBJECT>/AUDITHISTORY`), re-read with the same overlap. The deletes published inside the
/// overlap window are kept with that watermark (`OverlapVersions`, the tombstone standing for the
/// version), so the re-read does not publish a tombstone for the same key twice.
///
/// AUDITHISTORY pages fail now and then (DL02000001, "There was an error processing the request."). A
/// failed page is retried with backoff; if it keeps failing, the pass stops *before* it, so the watermark
/// never moves past a page that was not read, and the next run starts there again.
struct AuditTrailDeletes {
    static let reason = "audit-trail"
    /// The content hash a tombstone stands under in `OverlapVersions`: no envelope hash looks like it.
    static let tombstoneVersion = "deleted"

    let context: PollerContext
    let target: PollTarget

    var stream: String { "\(target.object.name)/AUDITHISTORY" }

    func run(into report: inout StreamRunReport) async throws {
        let before = await context.watermarks.current(entity: target.entity, stream: stream)
        var current = before
        var versions = before?.overlap ?? OverlapVersions()
        let start: (time: String, key: String?)? = before.map { (context.rewound($0.whenModified), nil) }
        let audit = ObjectCatalog.auditHistory
        let pager = KeysetPager(
            client: context.client, object: audit.name, fields: audit.fieldNames, timeField: "ACCESSTIME", keyField: "ID",
            conditions: [.equalTo("OBJECTTYPE", target.object.name.lowercased()), .equalTo("ACCESSMODE", "D")],
            entity: target.sessionEntity, pageSize: context.pageSize
        )
        var tombstones = 0
        var skipped = 0
        try await withRetries {
            try await pager.run(start: current.map { (context.rewound($0.whenModified), nil) } ?? start) { page in
                var messages: [KafkaOutgoingMessage] = []
                for row in page.rows {
                    guard row["ACCESSMODE"] == "D", row["OBJECTTYPE"]?.lowercased() == target.object.name.lowercased(),
                          let recordNo = row["OBJECTKEY"], !recordNo.isEmpty else { continue }
                    // A top-level read sees every entity's trail; keep the rows of this stream's entity only.
                    let owner = (row["MEGAENTITYID"] ?? "").isEmpty ? RecordKey.topLevelEntity : row["MEGAENTITYID"]!
                    guard owner == target.entity || target.object.level == .top else { continue }
                    if versions.contains(recordNo: recordNo, contentSHA256: Self.tombstoneVersion) {
                        skipped += 1
                        continue
                    }
                    if let accessTime = row["ACCESSTIME"] {
                        versions.insert(recordNo: recordNo, whenModified: accessTime, contentSHA256: Self.tombstoneVersion)
                    }
                    let deletedAt = row["ACCESSTIME"].flatMap(IntacctTimestamp.parse).map(IntacctTimestamp.iso8601) ?? context.timestamp
                    let key = RecordKey(company: context.company, entity: target.entity, object: target.object.name, recordNo: recordNo)
                    messages.append(context.publisher.tombstone(for: key, reason: Self.reason, deletedAt: deletedAt))
                }
                try await context.publisher.publish(messages)
                tombstones += messages.count
                PollerMetrics.tombstonesPublished(entity: target.entity, object: target.object.name, reason: Self.reason, count: messages.count)
                if let last = page.last {
                    let reached = Watermark(entity: target.entity, stream: stream, whenModified: last.time, recordNo: last.key)
                    // Never backwards; a delete found behind the position is remembered at the same position.
                    let advanced = current.map { reached.isAfter($0) } ?? true
                    if advanced || !messages.isEmpty, var candidate = advanced ? reached : current {
                        candidate.totalRecords = (current?.totalRecords ?? 0) + messages.count
                        candidate.runRecords = tombstones
                        candidate.updatedAt = context.timestamp
                        if let date = candidate.date { versions.prune(watermark: date, window: context.overlap) }
                        candidate.overlap = versions
                        try await context.watermarks.store(candidate)
                        current = candidate
                    }
                }
                return !context.shutdown.isRequested
            }
        }
        report.tombstones += tombstones
        report.overlapSkipped += skipped
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
