import Foundation
import Kafka
import RecordContract

/// What one flush loaded into one table: logged on every flush, and published to the audit topic
/// (and so into `_audit`) by workers with `audit: true`.
public struct LoadSummary: Sendable {
    public var worker: String
    public var entity: String
    public var table: String
    public var rows: Int
    public var deadLetters: Int
    /// Next offsets committed for this batch, per partition.
    public var offsets: [KafkaTopicPartition: Int64]
    public var latency: Duration
    public var at: Date

    public init(worker: String, entity: String, table: String, rows: Int, deadLetters: Int,
                offsets: [KafkaTopicPartition: Int64], latency: Duration, at: Date = Date()) {
        self.worker = worker
        self.entity = entity
        self.table = table
        self.rows = rows
        self.deadLetters = deadLetters
        self.offsets = offsets
        self.latency = latency
        self.at = at
    }

    /// `topic/partition:next-offset` pairs, sorted.
    public var offsetsText: String {
        offsets.sorted { ($0.key.topic, $0.key.partition) < ($1.key.topic, $1.key.partition) }
            .map { "\($0.key.topic)/\($0.key.partition):\($0.value)" }.joined(separator: ",")
    }

    public var latencyMilliseconds: Int {
        Int(latency.components.seconds * 1000 + latency.components.attoseconds / 1_000_000_000_000_000)
    }

    /// The audit-topic message: `{"type":"load","source":"loader",...}`.
    public func message(company: String) -> KafkaOutgoingMessage {
        var out = JSONWriter(capacity: 512)
        out.beginObject()
        out.member("type", "load")
        out.member("source", "loader")
        out.member("run_id", worker)
        out.member("entity", entity)
        out.member("object", table.uppercased())
        out.member("table", table)
        out.key("rows")
        out.raw(String(rows))
        out.key("dead_letters")
        out.raw(String(deadLetters))
        out.key("latency_ms")
        out.raw(String(latencyMilliseconds))
        out.member("offsets", offsetsText)
        out.member("at", RowConverter.microsecondTimestamp(at))
        out.endObject()
        return KafkaOutgoingMessage(topic: Topics(company: company).audit,
                                    key: "loader/\(entity)/\(table)/\(worker)", value: out.data)
    }
}
