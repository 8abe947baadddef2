import Foundation
import Kafka

/// Asks BigQuery which offsets at or above a read start are already rows of a table: the question a
/// worker asks before it writes the first batch of a partition it (re)started reading — after start-up,
/// an assignment, a re-read after a rebalance — and before it writes a batch again after a failed
/// attempt, since an insertAll batch can fail after part of it landed.
///
/// Cost: the query reads three columns (`_kafka_topic`, `_kafka_partition`, `_kafka_offset`, about
/// 50 bytes a row) of the table. Tables are clustered by `_entity, _kafka_topic, _kafka_partition,
/// _kafka_offset`, so BigQuery reads only the storage blocks whose ranges can hold offsets at or above
/// the read start of that topic-partition; the filter is on those columns alone. docs/loader.md has the
/// figures.
public struct LoadedOffsetCheck: Sendable {
    private let client: BigQueryClient

    public init(client: BigQueryClient) { self.client = client }

    /// The loaded offsets at or above each read start, per topic-partition (partitions with none are absent).
    public func loaded(in table: String, from starts: [KafkaTopicPartition: Int64]) async throws -> [KafkaTopicPartition: LoadedOffsets] {
        guard !starts.isEmpty else { return [:] }
        // A table that does not exist (first load, or dropped before a replay) holds nothing; the sink creates it.
        guard try await client.table(table) != nil else { return [:] }
        let result = try await client.query(Self.sql(table: client.qualified(table), starts: starts))
        var runs: [KafkaTopicPartition: [ClosedRange<Int64>]] = [:]
        for row in result.rows {
            guard let topic = row["topic"].string, let partition = row["kafka_partition"].int64,
                  let first = row["first_offset"].int64, let last = row["last_offset"].int64, first <= last else {
                throw BigQueryError(kind: .invalidResponse, operation: "loaded offsets of \(table)",
                                    message: "a row of the loaded-offsets query lacks topic, kafka_partition, first_offset or last_offset",
                                    isRetryable: false)
            }
            runs[KafkaTopicPartition(topic: topic, partition: Int32(truncatingIfNeeded: partition)), default: []].append(first...last)
        }
        return runs.mapValues { LoadedOffsets(runs: $0) }
    }

    /// Gaps and islands: consecutive offsets share `offset - row_number`, so each run is one group.
    /// DISTINCT first, so rows doubled before this protocol existed do not split a run.
    static func sql(table: String, starts: [KafkaTopicPartition: Int64]) -> String {
        let conditions = starts.sorted { ($0.key.topic, $0.key.partition) < ($1.key.topic, $1.key.partition) }.map { partition, offset in
            "(_kafka_topic = \(literal(partition.topic)) AND _kafka_partition = \(partition.partition) AND _kafka_offset >= \(offset))"
        }
        return """
            SELECT topic, kafka_partition, MIN(kafka_offset) AS first_offset, MAX(kafka_offset) AS last_offset
            FROM (
              SELECT topic, kafka_partition, kafka_offset,
                     kafka_offset - ROW_NUMBER() OVER (PARTITION BY topic, kafka_partition ORDER BY kafka_offset) AS run
              FROM (
                SELECT DISTINCT _kafka_topic AS topic, _kafka_partition AS kafka_partition, _kafka_offset AS kafka_offset
                FROM \(table)
                WHERE \(conditions.joined(separator: "\n                   OR "))
              )
            )
            GROUP BY topic, kafka_partition, run
            """
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
