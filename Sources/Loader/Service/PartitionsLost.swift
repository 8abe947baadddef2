import Kafka

/// Thrown from a sink's `beforeWrite` when a rebalance took partitions of the batch away while it was
/// being written: committing would race the new owner, which reads them from the committed offset.
/// Not an outage: the batch is put back, and its next write leaves the lost partitions' rows out.
struct PartitionsLost: Error, Sendable, CustomStringConvertible {
    var table: String
    var partitions: [KafkaTopicPartition]

    var description: String {
        "partitions \(partitions.map { "\($0.topic)/\($0.partition)" }.sorted()) of \(table) were reassigned before the commit"
    }
}
