import Foundation
import Cryptography
import Kafka
import RecordContract
import Timestamps

/// The `_audit` table: one row per message of `intacct.<company>._audit` — the poller's run and error
/// records and the loaders' load summaries — with the common members as columns and the whole
/// message in `payload`, so new members need no schema change.
public enum AuditTable {
    public static let name = "_audit"

    public static let schema = TableSchema(
        columns: [
            TableColumn("_key", .string, .required, description: "the audit message's Kafka key"),
            TableColumn("type", .string, description: "object_run, run, intacct_error, kafka_error, poller_error, broken_row (poller); load, bigquery_error, kafka_error, loader_error (loader)"),
            TableColumn("source", .string, description: "poller or loader"),
            TableColumn("run_id", .string),
            TableColumn("entity", .string),
            TableColumn("object", .string),
            TableColumn("at", .timestamp),
            TableColumn("payload", .json, description: "the whole audit message"),
            TableColumn("_kafka_topic", .string),
            TableColumn("_kafka_partition", .int64),
            TableColumn("_kafka_offset", .int64),
            TableColumn("_loaded_at", .timestamp),
        ],
        timePartitioning: .day(field: "at")
    )

    /// Why an audit message cannot become a row.
    public enum Malformed: Error, Sendable, Equatable, CustomStringConvertible {
        /// A tombstone on the audit topic: nothing to record.
        case noValue
        /// The value does not parse as a JSON object.
        case notAJSONObject

        public var description: String {
            switch self {
            case .noValue: "audit message without a value"
            case .notAJSONObject: "audit message is not a JSON object"
            }
        }
    }

    /// The row for one audit message. The insertId hashes key and value, so a re-produced summary
    /// deduplicates like a record version does.
    public static func row(for message: KafkaMessage, loadedAt: Date) throws -> InsertAllRow {
        guard let value = message.value else { throw Malformed.noValue }
        guard let object = (try? JSONSerialization.jsonObject(with: value)) as? [String: Any] else {
            throw Malformed.notAJSONObject
        }
        func text(_ name: String) -> String? {
            switch object[name] {
            case let string as String: string
            case let number as NSNumber: number.stringValue
            default: nil
            }
        }
        let key = message.keyString ?? ""
        var out = JSONWriter(capacity: value.count + 256)
        out.beginObject()
        out.member("_key", key)
        for name in ["type", "run_id", "entity", "object"] { out.nullableMember(name, text(name)) }
        out.member("source", text("source") ?? "poller")
        out.key("at")
        if let at = text("at"), let stamp = RowConverter.timestamp(at) { out.string(stamp) } else { out.string(IntacctTimestamp.iso8601(loadedAt)) }
        out.member("payload", String(decoding: value, as: UTF8.self))
        out.member("_kafka_topic", message.topic)
        out.key("_kafka_partition")
        out.raw(String(message.partition))
        out.key("_kafka_offset")
        out.raw(String(message.offset))
        out.member("_loaded_at", RowConverter.microsecondTimestamp(loadedAt))
        out.endObject()
        var identity = Data(key.utf8)
        identity.append(0)
        identity.append(value)
        return InsertAllRow(insertID: SHA256.hex(identity), json: out.data)
    }
}
