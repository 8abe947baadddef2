import Foundation
import Kafka
import RecordContract

/// Reads Intacct's balance reports for each configured entity, kind and period and publishes their lines
/// as records of the balance objects, so the loader loads them like any other object. The reports have
/// no WHENMODIFIED: each run reads a snapshot of its periods and publishes the lines whose figures changed
/// since the last run (`PublishedSnapshot`, per entity, kind and period, in `_state`), so a base table
/// holds each version of a line once. A report Intacct refuses is audited and the others go on.
public struct BalanceExtraction: Sendable {
    public let context: PollerContext
    public let settings: BalanceSettings
    public let entities: [String]

    public init(context: PollerContext, settings: BalanceSettings, entities: [String]) {
        self.context = context
        self.settings = settings
        self.entities = settings.entities ?? entities
    }

    /// The record topics the reports publish to, for creating them compacted before the first run.
    public static func topics(_ settings: BalanceSettings?, entities: [String], topics: Topics) -> [String] {
        guard let settings else { return [] }
        return (settings.entities ?? entities).flatMap { entity in
            settings.kinds.map { topics.records(entity: entity, object: $0.object.name) }
        }
    }

    /// One pass over every entity, kind and period, one request at a time (the client's throttle is
    /// shared with the streams, so these never crowd them out).
    public func run(runID: String) async -> [BalanceRunReport] {
        let periods = settings.periods(on: context.clock.date)
        var reports: [BalanceRunReport] = []
        for entity in entities {
            for kind in settings.kinds {
                for period in periods {
                    if context.shutdown.isRequested { return reports }
                    reports.append(await run(BalanceQuery(kind: kind, period: period), entity: entity, runID: runID))
                }
            }
        }
        return reports
    }

    func run(_ query: BalanceQuery, entity: String, runID: String) async -> BalanceRunReport {
        var report = BalanceRunReport(entity: entity, kind: query.kind, period: query.period)
        do {
            let result = try await context.client.call(.balances(query), entity: entity).result
            try await publish(result.rows, of: query, entity: entity, runID: runID, into: &report)
            context.logger.info("balances published", metadata: [
                "entity": "\(entity)", "kind": "\(query.kind.rawValue)", "period": "\(query.period)", "records": "\(report.records)",
            ])
        } catch {
            let failure = StreamRunFailure(stage: .balances, error: error)
            report.failure = failure
            context.logger.warning("balance report not moved", metadata: [
                "entity": "\(entity)", "kind": "\(query.kind.rawValue)", "period": "\(query.period)", "error": "\(failure)",
            ])
            await context.audit.write(AuditRecord(failure: failure, runID: runID, entity: entity, object: query.kind.object.name, at: context.timestamp))
        }
        return report
    }

    /// Publishes the lines of one report and waits for Kafka's acknowledgement; a line without an account
    /// goes to the audit topic with its fields.
    func publish(_ rows: [IntacctRow], of query: BalanceQuery, entity: String, runID: String, into report: inout BalanceRunReport) async throws {
        let object = query.kind.object
        var builder = context.publisher.messageBuilder(entity: entity, object: object)
        let extractedAt = context.timestamp
        var messages: [KafkaOutgoingMessage] = []
        var published = await context.watermarks.published(entity: entity, stream: "\(object.name)/\(query.period)")
        for row in rows {
            if let line = BalanceLine.record(row, period: query.period), let message = builder.message(for: line, extractedAt: extractedAt) {
                if let recordNo = line[object.keyField], let hash = message.value.flatMap(OverlapVersions.contentHash(inEnvelope:)) {
                    if published.contains(recordNo: recordNo, contentSHA256: hash) {
                        report.unchanged += 1
                        continue
                    }
                    published.record(recordNo: recordNo, contentSHA256: hash)
                }
                messages.append(message)
            } else {
                report.brokenLines += 1
                await context.audit.write(AuditRecord(kind: .brokenRow, runID: runID, entity: entity, object: object.name, members: [
                    ("reason", .string("balance line without glaccountno")), ("period", .string(query.period.description)),
                    ("fields", .object(row.fields.map { ($0.name, JSONValue.string($0.value)) })),
                ], at: context.timestamp))
            }
        }
        try await context.publisher.publish(messages)
        if !messages.isEmpty { try await context.watermarks.store(published) }
        report.records = messages.count
        PollerMetrics.recordsPublished(entity: entity, object: object.name, count: messages.count)
    }
}
