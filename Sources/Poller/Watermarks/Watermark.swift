import Foundation
import Catalog
import RecordContract
import Timestamps

/// How far one (entity, object) stream has been published: the WHENMODIFIED and RECORDNO of the last
/// record Kafka acknowledged, in the order the poller reads (WHENMODIFIED, then RECORDNO).
///
/// Stored as JSON in the compacted `intacct.<company>._state` topic under `<entity>/<OBJECT>` (delete
/// detection by audit trail keeps its own position under `<entity>/<OBJECT>/AUDITHISTORY`), so a restarted
/// poller resumes from the latest value per key.
public struct Watermark: Sendable, Equatable {
    /// `top` or a subsidiary id.
    public var entity: String
    /// The stream: `APBILL`, or `APBILL/AUDITHISTORY` for the audit-trail position.
    public var stream: String
    /// Intacct's own text (`MM/DD/YYYY HH:MM:SS`, the API user's local time), sent back verbatim in the next filter.
    public var whenModified: String
    /// The last key read at `whenModified`; the next page starts strictly after it.
    public var recordNo: String
    /// When this value was written, RFC 3339.
    public var updatedAt: String
    /// Records (or tombstones) published on this stream since the first run.
    public var totalRecords: Int
    /// Records published by the run that wrote this value.
    public var runRecords: Int
    /// Versions published inside the overlap window behind this position, so a re-read skips them.
    var overlap = OverlapVersions()
    /// Written by a run that had not finished the stream: records after this position may already be in
    /// the topic (pages acknowledged after the last watermark write, before a kill -9), and the next run
    /// reads the topic's tail to learn them before it publishes.
    var open = false

    public init(entity: String, stream: String, whenModified: String, recordNo: String, updatedAt: String = IntacctTimestamp.iso8601(Date()),
                totalRecords: Int = 0, runRecords: Int = 0) {
        self.entity = entity
        self.stream = stream
        self.whenModified = whenModified
        self.recordNo = recordNo
        self.updatedAt = updatedAt
        self.totalRecords = totalRecords
        self.runRecords = runRecords
    }

    /// The `_state` key.
    public var key: String { Self.key(entity: entity, stream: stream) }

    public static func key(entity: String, stream: String) -> String { "\(entity)/\(stream)" }

    /// `whenModified` read as if it were UTC, if Intacct's text parses: enough to order watermarks of one
    /// company; the true instant needs the user's zone (`IntacctTimeZone.date(fromLocal:)`).
    public var date: Date? { IntacctTimestamp.parse(whenModified) }

    /// Whether (`whenModified`, `recordNo`) lies after `other` in read order. Record numbers compare
    /// naturally (digit runs as numbers), as the gateway compares them in keyset filters.
    public func isAfter(_ other: Watermark) -> Bool {
        guard let mine = date, let theirs = other.date else { return whenModified != other.whenModified }
        if mine != theirs { return mine > theirs }
        return RecordNumberOrder.compare(recordNo, other.recordNo) > 0
    }

    public func encoded() -> Data {
        var out = JSONWriter(capacity: 256)
        out.beginObject()
        out.member("entity", entity)
        out.member("object", stream)
        out.member("whenmodified", whenModified)
        out.member("recordno", recordNo)
        out.member("updated_at", updatedAt)
        out.key("total_records"); out.raw(String(totalRecords))
        out.key("run_records"); out.raw(String(runRecords))
        if open { out.key("open"); out.raw("true") }
        if !overlap.isEmpty {
            out.key("overlap_versions")
            out.beginArray()
            for version in overlap.versions {
                out.beginObject()
                out.member("recordno", version.recordNo)
                out.member("whenmodified", version.whenModified)
                out.member("content_sha256", version.contentSHA256)
                out.endObject()
            }
            out.endArray()
        }
        out.endObject()
        return out.data
    }

    /// Reads a value written by `encoded()`; nil for anything else (a foreign or broken record is
    /// skipped rather than trusted).
    public static func decode(_ data: Data) -> Watermark? {
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let entity = root["entity"] as? String, let stream = root["object"] as? String,
              let whenModified = root["whenmodified"] as? String, let recordNo = root["recordno"] as? String
        else { return nil }
        var watermark = Watermark(entity: entity, stream: stream, whenModified: whenModified, recordNo: recordNo,
                                  updatedAt: root["updated_at"] as? String ?? "",
                                  totalRecords: (root["total_records"] as? NSNumber)?.intValue ?? 0,
                                  runRecords: (root["run_records"] as? NSNumber)?.intValue ?? 0)
        watermark.open = root["open"] as? Bool ?? false
        // A version that does not read back is left out: it is sent again, which is safe.
        for entry in root["overlap_versions"] as? [[String: Any]] ?? [] {
            guard let recordNo = entry["recordno"] as? String, let time = entry["whenmodified"] as? String,
                  let hash = entry["content_sha256"] as? String else { continue }
            watermark.overlap.insert(recordNo: recordNo, whenModified: time, contentSHA256: hash)
        }
        return watermark
    }
}
