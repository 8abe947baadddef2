import Foundation
import Logging
import Catalog
import Kafka
import RecordContract
import Timestamps
import Operations

/// One incremental run of one stream: records modified since the watermark (minus the overlap) are read
/// page by page in (WHENMODIFIED, RECORDNO) order and published; after Kafka acknowledged a page (and
/// every page before it), the watermark moves to the page's greatest row and is itself written and
/// acknowledged. A crash between the two republishes the page (the loader is idempotent); nothing is
/// ever skipped.
///
/// Pages are pipelined: while Kafka acknowledges page N and its watermark is written, page N+1 is
/// already being turned into messages and handed to the producer (and page N+2 fetched). At most
/// `context.pagesInFlight` pages of a stream wait for their acknowledgement at once, and every page
/// read holds one page of the poller-wide `context.pageBudget` until it is acknowledged.
///
/// The overlap re-read sends no version twice: the versions published inside the overlap window are kept
/// with the watermark (`OverlapVersions`), and a re-read row whose record number and content hash match
/// one of them is not published again. With nothing changed in Intacct, a run publishes nothing.
struct StreamExtraction {
    let context: PollerContext
    let target: PollTarget
    let runID: String
    let progress: PollProgress

    /// A page handed to the producer, once acknowledged and (if it moved the position) its watermark stored.
    private struct Commit: Sendable {
        var records: Int
        /// Rows the page held, published or not: what Intacct's `totalcount` counts, for the progress line.
        var rows: Int
        var watermark: Watermark?
    }

    func run(into report: inout StreamRunReport) async throws {
        // The lookup (and a session, if one is opened) queues as this stream's first page does: at the
        // throttle's default priority it would wait behind every page of every running stream.
        let object = try await RequestThrottle.$priority.withValue(context.pageSize) {
            try await context.discovery?.resolve(target.object)
        } ?? target.object
        // An object without WHENMODIFIED is read whole each run, in key order (deletes: reconciliation).
        let snapshot = object.readsSnapshots
        // Types of the fields the standard catalog does not know travel with each record, so the loader can
        // add a typed column the first time one arrives.
        let standard = ObjectCatalog.standard[object.name]
        let hints = Dictionary(uniqueKeysWithValues: object.fields
            .filter { field in standard?.field(named: field.name).map { $0.type != field.type } ?? true }
            .map { ($0.name, $0.type) })
        let before = await context.watermarks.current(entity: target.entity, stream: object.name)
        report.watermarkBefore = before
        // Re-read the overlap: Intacct stamps WHENMODIFIED at one-second resolution, and a transaction can
        // commit after a later one was already visible.
        let start: (time: String, key: String?)? = snapshot ? nil : before.map { (context.rewound($0.whenModified), nil) }
        var pager = KeysetPager(client: context.client, object: object.name, fields: object.fieldNames,
                                timeField: snapshot ? nil : "WHENMODIFIED",
                                keyField: object.keyField, conditions: [], entity: target.sessionEntity, pageSize: context.pageSize)
        pager.budget = context.pageBudget
        var announced: Int?
        var localReport = report
        var versions = before?.overlap ?? OverlapVersions()
        // A run that stopped without finishing the stream (kill -9) may have had pages acknowledged after its
        // last watermark — or before its first: they are at the topic's end. Learn their versions so the
        // re-read skips them. (A first backfill finds its topic empty at the cost of a metadata request.)
        let sentAfterWatermark = if before.map(\.open) ?? true, !snapshot { try await versionsAtTopicEnd(object: object.name) } else { [String: String]() }
        // A snapshot has no watermark to keep versions by: what it last published is kept apart, and this
        // run's versions replace it once all of them are acknowledged (a key no longer listed drops out).
        let lastPublished = snapshot ? await context.watermarks.published(entity: target.entity, stream: object.name) : nil
        var publishing = PublishedSnapshot(entity: target.entity, stream: object.name)
        // Rows arrive in the API user's local time; the envelope carries UTC. Watermarks keep Intacct's own
        // local text, so the filters sent back need no conversion.
        let timeZone = try await context.client.timeZone(entity: target.sessionEntity)
        var builder = context.publisher.messageBuilder(entity: target.entity, object: object, fieldTypes: hints, timeZone: timeZone)
        // The newest position handed to Kafka; the stored watermark follows it once acknowledged.
        var position = before
        var enqueued = 0
        // Oldest first; each waits for its predecessor, so watermarks are stored in page order and a
        // failed page stops every later watermark.
        var commits: [Task<Commit, Error>] = []
        var committed = before

        func settleOldest() async throws {
            let commit = try await commits.removeFirst().value
            localReport.records += commit.records
            localReport.pages += 1
            PollerMetrics.recordsPublished(entity: target.entity, object: object.name, count: commit.records)
            PollerMetrics.page(entity: target.entity, object: object.name)
            progress.record(stream: target.id, count: commit.rows, announced: announced)
            if let watermark = commit.watermark {
                committed = watermark
                if let date = timeZone.date(fromLocal: watermark.whenModified) { PollerMetrics.watermarkLag(entity: target.entity, object: object.name, watermark: date, now: context.clock.date) }
            }
        }

        do {
            try await pager.run(start: start) { page in
                if announced == nil { announced = page.totalCount }
                let extractedAt = context.timestamp
                // Envelopes go to the producer a slice at a time: librdkafka copies each record, so a
                // page's envelopes need never all be alive at once beside its rows and those copies.
                var messages: [KafkaOutgoingMessage] = []
                messages.reserveCapacity(min(page.rows.count, Self.enqueueSlice))
                var deliveries: [KafkaProducerDelivery] = []
                var handed = 0
                func handOver() async throws {
                    guard !messages.isEmpty else { return }
                    do {
                        deliveries.append(try await context.publisher.enqueue(messages))
                    } catch {
                        await context.pageBudget.give()
                        throw error
                    }
                    handed += messages.count
                    messages.removeAll(keepingCapacity: true)
                }
                var repeated = 0
                for index in page.rows.indices {
                    // Each row is let go once its message is built: the page's rows are most of its memory,
                    // and their messages leave for librdkafka (which copies them) a slice at a time.
                    let row = page.rows[index]
                    page.rows[index] = IntacctRow(fields: [])
                    guard let message = builder.message(for: row, extractedAt: extractedAt) else {
                        localReport.brokenRows += 1
                        await auditBrokenRow(row)
                        continue
                    }
                    if let lastPublished, let recordNo = row[object.keyField],
                       let hash = message.value.flatMap(OverlapVersions.contentHash(inEnvelope:)) {
                        publishing.record(recordNo: recordNo, contentSHA256: hash)
                        if lastPublished.contains(recordNo: recordNo, contentSHA256: hash) {
                            repeated += 1
                            continue
                        }
                    } else if let recordNo = row[object.keyField], let time = row["WHENMODIFIED"],
                       let hash = message.value.flatMap(OverlapVersions.contentHash(inEnvelope:)) {
                        if versions.contains(recordNo: recordNo, contentSHA256: hash) {
                            repeated += 1
                            continue
                        }
                        versions.insert(recordNo: recordNo, whenModified: time, contentSHA256: hash)
                        if sentAfterWatermark[recordNo] == hash {
                            repeated += 1
                            continue
                        }
                    }
                    messages.append(message)
                    if messages.count == Self.enqueueSlice { try await handOver() }
                }
                try await handOver()
                messages = []
                let (count, pageDeliveries) = (handed, deliveries)
                localReport.overlapSkipped += repeated
                let rows = page.rows.count
                // Published: the rows are not needed past here, while this stream may wait below for
                // earlier pages' acknowledgements.
                page.rows = []
                enqueued += count
                var candidate: Watermark?
                if !snapshot, let last = page.last {
                    let reached = Watermark(entity: target.entity, stream: object.name, whenModified: last.time, recordNo: last.key)
                    // The overlap re-reads rows behind the stored watermark; it never moves backwards. A new
                    // version found behind it (a late commit) is stored at the same position all the same,
                    // so that the next re-read knows it was sent.
                    let advanced = position.map { reached.isAfter($0) } ?? true
                    if advanced || count > 0, var next = advanced ? reached : position {
                        next.totalRecords = (position?.totalRecords ?? 0) + count
                        next.runRecords = enqueued
                        next.updatedAt = context.timestamp
                        if let date = next.date { versions.prune(watermark: date, window: context.overlap) }
                        next.overlap = versions
                        next.open = true
                        candidate = next
                        position = next
                    }
                }
                let previous = commits.last
                let watermarks = context.watermarks
                let budget = context.pageBudget
                commits.append(Task {
                    do {
                        _ = try await previous?.value
                        for delivery in pageDeliveries { _ = try await delivery.acknowledged() }
                        if let candidate { try await watermarks.store(candidate) }
                    } catch {
                        await budget.give()
                        throw error
                    }
                    await budget.give()
                    ProcessHeap.releaseFreePages()
                    return Commit(records: count, rows: rows, watermark: candidate)
                })
                while commits.count > context.pagesInFlight { try await settleOldest() }
                if context.shutdown.isRequested {
                    localReport.stoppedForShutdown = true
                    return false
                }
                return true
            }
            while !commits.isEmpty { try await settleOldest() }
            // Everything this run published is acknowledged and behind the stored position: close it, so the
            // next run need not read the topic's end.
            if var closed = committed, closed.open {
                closed.open = false
                try await context.watermarks.store(closed)
                committed = closed
            }
            if snapshot && !localReport.stoppedForShutdown && publishing != lastPublished {
                if !publishing.fits {
                    context.logger.notice("snapshot larger than what _state keeps of it; it is sent whole each run",
                                          metadata: ["stream": "\(target.id)", "records": "\(publishing.hashes.count)"])
                }
                try await context.watermarks.store(publishing)
            }
        } catch {
            // Pages already handed to Kafka still get their watermark if they are acknowledged: the next
            // run then starts after them. The first error is the one reported.
            while !commits.isEmpty { try? await settleOldest() }
            localReport.watermarkAfter = committed
            report = localReport
            throw error
        }
        localReport.watermarkAfter = committed
        report = localReport
    }

    /// Records handed to the producer at once: enough that the per-call cost is noise.
    private static let enqueueSlice = 250

    /// Record number → content hash of the records at the end of this stream's topic: at most the pages
    /// the poller can have had in flight, per partition (a stream's pages may all hash to one partition).
    private func versionsAtTopicEnd(object: String) async throws -> [String: String] {
        let topic = context.publisher.topics.records(entity: target.entity, object: object)
        var found: [String: String] = [:]
        try await context.snapshots.scanTail(topic: topic, count: context.pageBudget.capacity * context.pageSize) { message in
            guard let value = message.value, let key = message.keyString.flatMap(RecordKey.init(parsing:)),
                  let hash = OverlapVersions.contentHash(inEnvelope: value) else { return }
            found[key.recordNo] = hash
        }
        if !found.isEmpty {
            context.logger.info("the last run stopped mid-stream; versions already at the topic's end are not sent again",
                                metadata: ["stream": "\(target.id)", "versions": "\(found.count)"])
        }
        return found
    }

    private func auditBrokenRow(_ row: IntacctRow) async {
        context.logger.warning("Intacct row without a key; kept in the audit topic", metadata: ["stream": "\(target.id)"])
        await context.audit.write(AuditRecord(kind: .brokenRow, runID: runID, entity: target.entity, object: target.object.name, members: [
            ("reason", .string("no \(target.object.keyField)")),
            ("fields", .object(row.fields.map { ($0.name, JSONValue.string($0.value)) })),
        ], at: context.timestamp))
    }
}
