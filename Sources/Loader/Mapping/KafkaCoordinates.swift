/// Where a record was read from, written to `_kafka_topic/_partition/_offset` so any row in BigQuery can
/// be traced back to (and replayed from) its message.
public struct KafkaCoordinates: Sendable, Equatable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64

    public init(topic: String, partition: Int32, offset: Int64) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
    }
}
