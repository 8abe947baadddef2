import Foundation
import Logging
import Shared

/// One incremental run of one stream: records modified since the watermark (minus the overlap) are read
/// page by page in (WHENMODIFIED, RECORDNO) order and published; after Kafka acknowledged a page, the
/// watermark moves to its last row and is itself written and acknowledged. A crash between the two
/// republishes the page (the loader is idempotent); nothing is ever skipped.
struct StreamExtraction {
    let context: PollerContext
    let target: PollTarget
    let runID: String
    let progress: PollProgress

    func run(into report: inout StreamRunReport) async throws {
        let object = await context.discovery?.resolve(target.object) ?? target.object
        // Types of the fields the standard catalog does not know travel with each record, so the loader can
        // add a typed column the first time one arrives.
        let standard = ObjectCatalog.standard[object.name]
        let hints = Dictionary(uniqueKeysWithValues: object.fields
            .filter { field in standard?.field(named: field.name).map { $0.type != field.type } ?? true }
            .map { ($0.name, $0.type) })
        let before = await context.watermarks.current(entity: target.entity, stream: object.name)
        report.watermarkBefore = before
        var current = before
        // Re-read the overlap: Intacct stamps WHENMODIFIED at one-second resolution, and a transaction can
        // commit after a later one was already visible.
        let start: (time: String, key: String?)? = before.map { (context.rewound($0.whenModified), nil) }
        let pager = KeysetPager(client: context.client, object: object.name, fields: object.fieldNames, timeField: "WHENMODIFIED",
                                keyField: object.keyField, conditions: [], entity: target.sessionEntity, pageSize: context.pageSize)
        var announced: Int?
        var localReport = report
        try await pager.run(start: start) { page in
            if announced == nil { announced = page.totalCount }
            let extractedAt = IntacctTimestamp.iso8601(Date())
            var messages: [KafkaOutgoingMessage] = []
            messages.reserveCapacity(page.rows.count)
            for row in page.rows {
                if let message = context.publisher.message(for: row, entity: target.entity, object: object, extractedAt: extractedAt,
                                                                   fieldTypes: hints) {
                    messages.append(message)
                } else {
                    localReport.brokenRows += 1
                    await auditBrokenRow(row)
                }
            }
            try await context.publisher.publish(messages)
            localReport.records += messages.count
            localReport.pages += 1
            PollerMetrics.recordsPublished(entity: target.entity, object: object.name, count: messages.count)
            PollerMetrics.page(entity: target.entity, object: object.name)
            progress.record(stream: target.id, count: messages.count, announced: announced)
            if let last = page.last {
                let candidate = Watermark(entity: target.entity, stream: object.name, whenModified: last.time, recordNo: last.key,
                                          totalRecords: (current?.totalRecords ?? 0) + messages.count, runRecords: localReport.records)
                // The overlap re-reads rows behind the stored watermark; it never moves backwards.
                if current.map({ candidate.isAfter($0) }) ?? true {
                    try await context.watermarks.store(candidate)
                    current = candidate
                    if let date = candidate.date { PollerMetrics.watermarkLag(entity: target.entity, object: object.name, watermark: date) }
                }
            }
            if context.shutdown.isRequested {
                localReport.stoppedForShutdown = true
                return false
            }
            return true
        }
        localReport.watermarkAfter = current
        report = localReport
    }

    private func auditBrokenRow(_ row: IntacctRow) async {
        context.logger.warning("Intacct row without a key; kept in the audit topic", metadata: ["stream": "\(target.id)"])
        await context.audit.write(AuditRecord(kind: .brokenRow, runID: runID, entity: target.entity, object: target.object.name, members: [
            ("reason", .string("no \(target.object.keyField)")),
            ("fields", .object(row.fields.map { ($0.name, JSONValue.string($0.value)) })),
        ]))
    }
}
