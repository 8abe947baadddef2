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

    /// What the pass did for one stream.
    struct Outcome: Sendable {
        var tombstones = 0
        var skipped = 0
    }

    let context: PollerContext
    /// Streams read with one session (the same `sessionEntity`): one AUDITHISTORY read serves them all,
    /// so an incremental run costs one audit-trail request per entity rather than one per stream.
    let targets: [PollTarget]

    init(context: PollerContext, targets: [PollTarget]) {
        self.context = context
        self.targets = targets
    }

    init(context: PollerContext, target: PollTarget) {
        self.init(context: context, targets: [target])
    }

    static func stream(of target: PollTarget) -> String { "\(target.object.name)/AUDITHISTORY" }

    /// One stream's pass, counted into its report.
    func run(into report: inout StreamRunReport) async throws {
        let outcome = try await run()[targets[0].id] ?? Outcome()
        report.tombstones += outcome.tombstones
        report.overlapSkipped += outcome.skipped
    }

    /// Reads the trail of every target from the oldest of their positions (minus the overlap) and
    /// tombstones each target's deletes not yet published; each target's position then moves with the
    /// read. Rows behind a target's own re-read start were handled by an earlier pass and are left alone.
    func run() async throws -> [String: Outcome] {
        guard let first = targets.first else { return [:] }
        var current: [String: Watermark] = [:]
        var versions: [String: OverlapVersions] = [:]
        // Per target, the start of its own re-read: older rows were handled by an earlier pass.
        var floors: [String: Date] = [:]
        var byType: [String: PollTarget] = [:]
        for target in targets {
            byType[target.object.name.lowercased()] = target
            if let stored = await context.watermarks.current(entity: target.entity, stream: Self.stream(of: target)) {
                current[target.id] = stored
                versions[target.id] = stored.overlap
            }
        }
        var outcomes = Dictionary(uniqueKeysWithValues: targets.map { ($0.id, Outcome()) })
        let types = targets.map { $0.object.name.lowercased() }
        let audit = ObjectCatalog.auditHistory
        let pager = KeysetPager(
            client: context.client, object: audit.name, fields: audit.fieldNames, timeField: "ACCESSTIME", keyField: "ID",
            conditions: [types.count == 1 ? .equalTo("OBJECTTYPE", types[0]) : .in("OBJECTTYPE", types), .equalTo("ACCESSMODE", "D")],
            entity: first.sessionEntity, pageSize: context.pageSize
        )
        // ACCESSTIME is the API user's local time, like every Intacct TIMESTAMP; deleted-at is UTC.
        let timeZone = try await context.client.timeZone(entity: first.sessionEntity)
        try await withRetries {
            // From the oldest position (a target without one reads the whole trail), again after a retry.
            floors = [:]
            var earliest: (time: String, date: Date)?
            var everyTargetHasPosition = true
            for target in targets {
                guard let position = current[target.id], let date = IntacctTimestamp.parse(context.rewound(position.whenModified)) else {
                    everyTargetHasPosition = false
                    continue
                }
                floors[target.id] = date
                if earliest.map({ date < $0.date }) ?? true { earliest = (context.rewound(position.whenModified), date) }
            }
            let start: (time: String, key: String?)? = everyTargetHasPosition ? earliest.map { ($0.time, nil) } : nil
            try await pager.run(start: start) { page in
                var messages: [KafkaOutgoingMessage] = []
                var published: [String: Int] = [:]
                for row in page.rows {
                    guard row["ACCESSMODE"] == "D", let type = row["OBJECTTYPE"]?.lowercased(), let target = byType[type],
                          let recordNo = row["OBJECTKEY"], !recordNo.isEmpty else { continue }
                    // A top-level read sees every entity's trail; keep the rows of this stream's entity only.
                    let owner = (row["MEGAENTITYID"] ?? "").isEmpty ? RecordKey.topLevelEntity : row["MEGAENTITYID"]!
                    guard owner == target.entity || target.object.level == .top else { continue }
                    let accessed = row["ACCESSTIME"].flatMap(IntacctTimestamp.parse)
                    if let floor = floors[target.id], let accessed, accessed < floor { continue }
                    if versions[target.id, default: OverlapVersions()].contains(recordNo: recordNo, contentSHA256: Self.tombstoneVersion) {
                        outcomes[target.id]?.skipped += 1
                        continue
                    }
                    if let accessTime = row["ACCESSTIME"] {
                        versions[target.id, default: OverlapVersions()].insert(recordNo: recordNo, whenModified: accessTime,
                                                                               contentSHA256: Self.tombstoneVersion)
                    }
                    let deletedAt = row["ACCESSTIME"].flatMap(timeZone.rfc3339(fromLocal:)) ?? context.timestamp
                    let key = RecordKey(company: context.company, entity: target.entity, object: target.object.name, recordNo: recordNo)
                    messages.append(context.publisher.tombstone(for: key, reason: Self.reason, deletedAt: deletedAt))
                    published[target.id, default: 0] += 1
                }
                try await context.publisher.publish(messages)
                for target in targets {
                    let count = published[target.id] ?? 0
                    outcomes[target.id]?.tombstones += count
                    PollerMetrics.tombstonesPublished(entity: target.entity, object: target.object.name, reason: Self.reason, count: count)
                    guard let last = page.last else { continue }
                    let before = current[target.id]
                    let reached = Watermark(entity: target.entity, stream: Self.stream(of: target), whenModified: last.time, recordNo: last.key)
                    // Never backwards; a delete found behind the position is remembered at the same position.
                    let advanced = before.map { reached.isAfter($0) } ?? true
                    guard advanced || count > 0, var candidate = advanced ? reached : before else { continue }
                    candidate.totalRecords = (before?.totalRecords ?? 0) + count
                    candidate.runRecords = outcomes[target.id]?.tombstones ?? 0
                    candidate.updatedAt = context.timestamp
                    var kept = versions[target.id] ?? OverlapVersions()
                    if let date = candidate.date { kept.prune(watermark: date, window: context.overlap) }
                    versions[target.id] = kept
                    candidate.overlap = kept
                    try await context.watermarks.store(candidate)
                    current[target.id] = candidate
                }
                return !context.shutdown.isRequested
            }
        }
        return outcomes
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
                    "streams": "\(targets.map(\.id))", "attempt": "\(attempt + 1)", "error": "\(error)",
                ])
                try await context.clock.sleep(for: context.auditRetry.delay(attempt: attempt))
                attempt += 1
            }
        }
    }
}
