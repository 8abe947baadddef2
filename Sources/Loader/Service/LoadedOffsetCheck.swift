import Foundation
import Kafka

/// Asks BigQuery what a table already holds of some topic-partitions: the question a worker asks before
/// it writes the first batch of a partition it (re)started reading — after start-up, an assignment, a
/// rebalance that rewound it — and before it writes a batch again after a failed attempt, since an
/// insertAll batch can fail after part of it landed.
///
/// Two questions, so the expensive one is asked only when there is something to find:
/// - `highest`: the highest offset at or above each read start (reads `_kafka_topic`, `_kafka_partition`,
///   `_kafka_offset`); usually nothing, then nothing more is asked;
/// - `identities`: for a window of offsets, which version sits at each (adds `_key` and `_content_sha256`).
///
/// Tables are clustered by `_entity, _kafka_topic, _kafka_partition, _kafka_offset`, and both filters are
/// on those columns alone, so BigQuery reads only the blocks that can hold the offsets asked about.
/// docs/loader.md ("Exactly once") has the figures.
public struct LoadedOffsetCheck: Sendable {
    private let client: BigQueryClient

    public init(client: BigQueryClient) { self.client = client }

    /// The highest offset each table holds at or above each read start (partitions with none are absent).
    public func highest(in table: String, from starts: [KafkaTopicPartition: Int64]) async throws -> [KafkaTopicPartition: Int64] {
        guard !starts.isEmpty else { return [:] }
        // A table that does not exist (first load, or dropped before a replay) holds nothing; the sink creates it.
        guard try await client.table(table) != nil else { return [:] }
        let result = try await client.query(Self.highestSQL(table: client.qualified(table), starts: starts))
        var highest: [KafkaTopicPartition: Int64] = [:]
        for row in result.rows {
            guard let topic = row["topic"].string, let partition = row["kafka_partition"].int64, let offset = row["highest"].int64 else {
                throw malformed(table, "topic, kafka_partition or highest")
            }
            highest[KafkaTopicPartition(topic: topic, partition: Int32(truncatingIfNeeded: partition))] = offset
        }
        return highest
    }

    /// Per topic-partition, the identities (`RowIdentity`) of the rows at each offset of its window.
    public func identities(in table: String, windows: [KafkaTopicPartition: Range<Int64>]) async throws
        -> [KafkaTopicPartition: [Int64: [Int]]] {
        guard !windows.isEmpty else { return [:] }
        let result = try await client.query(Self.identitiesSQL(table: client.qualified(table), windows: windows,
                                                               hasContentHash: table != AuditTable.name))
        var found: [KafkaTopicPartition: [Int64: [Int]]] = [:]
        for row in result.rows {
            guard let topic = row["topic"].string, let partition = row["kafka_partition"].int64,
                  let offset = row["kafka_offset"].int64, let key = row["record_key"].string else {
                throw malformed(table, "topic, kafka_partition, kafka_offset or record_key")
            }
            let identity = RowIdentity.fingerprint(key: key, contentSHA256: row["content_sha256"].string)
            found[KafkaTopicPartition(topic: topic, partition: Int32(truncatingIfNeeded: partition)), default: [:]][offset, default: []]
                .append(identity)
        }
        return found
    }

    static func highestSQL(table: String, starts: [KafkaTopicPartition: Int64]) -> String {
        let conditions = sorted(starts).map { partition, offset in
            "(_kafka_topic = \(literal(partition.topic)) AND _kafka_partition = \(partition.partition) AND _kafka_offset >= \(offset))"
        }
        return """
            SELECT _kafka_topic AS topic, _kafka_partition AS kafka_partition, MAX(_kafka_offset) AS highest
            FROM \(table)
            WHERE \(conditions.joined(separator: "\n   OR "))
            GROUP BY _kafka_topic, _kafka_partition
            """
    }

    static func identitiesSQL(table: String, windows: [KafkaTopicPartition: Range<Int64>], hasContentHash: Bool) -> String {
        let conditions = sorted(windows).map { partition, window in
            "(_kafka_topic = \(literal(partition.topic)) AND _kafka_partition = \(partition.partition)"
                + " AND _kafka_offset >= \(window.lowerBound) AND _kafka_offset < \(window.upperBound))"
        }
        return """
            SELECT DISTINCT _kafka_topic AS topic, _kafka_partition AS kafka_partition, _kafka_offset AS kafka_offset,
                   _key AS record_key, \(hasContentHash ? "_content_sha256" : "CAST(NULL AS STRING)") AS content_sha256
            FROM \(table)
            WHERE \(conditions.joined(separator: "\n   OR "))
            """
    }

    private static func sorted<Value>(_ entries: [KafkaTopicPartition: Value]) -> [(key: KafkaTopicPartition, value: Value)] {
        entries.sorted { ($0.key.topic, $0.key.partition) < ($1.key.topic, $1.key.partition) }
    }

    private func malformed(_ table: String, _ members: String) -> BigQueryError {
        BigQueryError(kind: .invalidResponse, operation: "loaded offsets of \(table)",
                      message: "a row of the loaded-offsets query lacks \(members)", isRetryable: false)
    }

    /// A GoogleSQL string literal (topic names are plain ASCII, but never trust a name into SQL).
    static func literal(_ text: String) -> String {
        var out = "'"
        for character in text.unicodeScalars {
            switch character {
            case "'": out += "\\'"
            case "\\": out += "\\\\"
            default: out.unicodeScalars.append(character)
            }
        }
        return out + "'"
    }
}
