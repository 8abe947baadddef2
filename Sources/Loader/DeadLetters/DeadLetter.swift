import Kafka
import Foundation
import RecordContract
import Timestamps

/// A Kafka record the loader could not put into BigQuery, with everything needed to understand and
/// replay it: why, which table, where it came from, and the original value as received.
///
/// Published to `intacct.<company>._dlq` keyed by the record key, so a fixed mapping plus a replay of
/// the source topic recovers it; the DLQ itself is for people and alerting.
public struct DeadLetter: Sendable {
    /// Why the record was set aside. The raw value is what the DLQ message and the metric carry.
    public enum Reason: String, Sendable, CaseIterable {
        /// The value is not a JSON record envelope (or its hash does not match its fields).
        case undecodable = "undecodable_envelope"
        /// A field value does not parse as its column's type.
        case conversion = "conversion_error"
        /// BigQuery refused the row (`invalid`), or a request failed for this row alone.
        case rejectedByBigQuery = "rejected_by_bigquery"
        /// The topic names an object no mapping knows.
        case unknownObject = "unknown_object"
        /// The key is not `<company>/<entity>/<OBJECT>/<RECORDNO>`, or disagrees with the topic or the envelope.
        case invalidKey = "invalid_key"
    }

    public var reason: Reason
    /// Human-readable detail: the conversion error, or (for BigQuery rejections) `bigQuery`'s text.
    public var detail: String
    /// The BigQuery table the record was bound for (`nil` when none could be determined).
    public var table: String?
    public var source: KafkaCoordinates
    public var key: Data?
    /// The Kafka value as received; `nil` for a tombstone.
    public var original: Data?
    /// For conversion errors: the field and its value.
    public var field: String?
    public var value: String?
    /// For rows BigQuery refused: its reason, location, message and the row's index, as typed values.
    public var bigQuery: BigQueryRejection?

    public init(reason: Reason, detail: String, table: String?, source: KafkaCoordinates, key: Data?, original: Data?,
                field: String? = nil, value: String? = nil, bigQuery: BigQueryRejection? = nil) {
        self.reason = reason
        self.detail = detail
        self.table = table
        self.source = source
        self.key = key
        self.original = original
        self.field = field
        self.value = value
        self.bigQuery = bigQuery
    }

    /// A dead letter for a converted row BigQuery refused; `detail` is derived from the rejection.
    public init(rejected row: PendingRow, table: String, by rejection: BigQueryRejection) {
        self.init(reason: .rejectedByBigQuery, detail: rejection.description, table: table, source: row.source,
                  key: Data(row.recordKey.utf8), original: row.original, bigQuery: rejection)
    }

    /// The DLQ message value: `{"reason","detail","table","topic","partition","offset","key",
    /// "field","value","bigquery","dead_lettered_at","envelope"}`. `bigquery` (only for BigQuery
    /// rejections) is `{"reason","location","message","index","status"}`, null where BigQuery gave none.
    /// `envelope` is the original JSON embedded as is when it is JSON, else `envelope_text` holds it as
    /// a string (or `envelope_base64` when not UTF-8).
    public func encoded(at date: Date = Date()) -> Data {
        var out = JSONWriter(capacity: 512 + (original?.count ?? 0))
        out.beginObject()
        out.member("reason", reason.rawValue)
        out.member("detail", detail)
        out.nullableMember("table", table)
        out.member("topic", source.topic)
        out.key("partition")
        out.raw(String(source.partition))
        out.key("offset")
        out.raw(String(source.offset))
        out.nullableMember("key", key.map { String(decoding: $0, as: UTF8.self) })
        if let field { out.member("field", field) }
        if let value { out.member("value", value) }
        if let bigQuery {
            out.key("bigquery")
            out.beginObject()
            out.nullableMember("reason", bigQuery.reason)
            out.nullableMember("location", bigQuery.location)
            out.member("message", bigQuery.message)
            out.nullableMember("index", bigQuery.index)
            out.nullableMember("status", bigQuery.status)
            out.endObject()
        }
        out.member("dead_lettered_at", IntacctTimestamp.iso8601(date))
        if let original {
            if (try? JSONSerialization.jsonObject(with: original)) != nil, let text = String(data: original, encoding: .utf8) {
                out.key("envelope")
                out.raw(text)
            } else if let text = String(data: original, encoding: .utf8) {
                out.member("envelope_text", text)
            } else {
                out.member("envelope_base64", original.base64EncodedString())
            }
        } else {
            out.key("envelope")
            out.null()
        }
        out.endObject()
        return out.data
    }
}
