import Foundation
import Timestamps

/// What one run of one stream did, for the audit topic and the CLI's summary.
public struct StreamRunReport: Sendable {
    public var target: String
    public var entity: String
    public var object: String
    public var startedAt: String
    public var endedAt = ""
    public var records = 0
    public var pages = 0
    public var tombstones = 0
    public var brokenRows = 0
    /// Rows the overlap re-read found already published (same record, same content) and did not send again.
    public var overlapSkipped = 0
    public var watermarkBefore: Watermark?
    public var watermarkAfter: Watermark?
    /// Why the run stopped early, if it failed (a stop for shutdown is not a failure).
    public var failure: StreamRunFailure?
    public var stoppedForShutdown = false

    public init(target: PollTarget, startedAt: String) {
        self.target = target.id
        self.startedAt = startedAt
        entity = target.entity
        object = target.object.name
    }

    public var succeeded: Bool { failure == nil }

    var auditMembers: [(String, JSONValue)] {
        [
            ("started_at", .string(startedAt)), ("ended_at", .string(endedAt)),
            ("status", .string(failure == nil ? (stoppedForShutdown ? "stopped" : "ok") : "failed")),
            ("records", .int(records)), ("pages", .int(pages)), ("tombstones", .int(tombstones)), ("broken_rows", .int(brokenRows)),
            ("overlap_skipped", .int(overlapSkipped)),
            ("watermark_before", .watermark(watermarkBefore)), ("watermark_after", .watermark(watermarkAfter)),
            ("error", failure.map { .string($0.description) } ?? .null),
            ("failed_system", failure.map { .string($0.system.rawValue) } ?? .null),
        ]
    }
}
