import Foundation

/// A record read by a `KafkaConsumer`. `value` is `nil` for tombstones.
///
/// A consumer's `key` and `value` are slices of one buffer per poll: index them from `startIndex`, not
/// 0, and copy (`Data(_:)`) one that is kept long after the rest of its poll, which it would keep alive.
public struct KafkaMessage: Sendable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var key: Data?
    public var value: Data?
    public var headers: [KafkaHeader]
    /// Create or log-append time as the broker reported it; `nil` when the record carries none.
    public var timestamp: Date?

    public init(topic: String, partition: Int32, offset: Int64, key: Data?, value: Data?,
                headers: [KafkaHeader] = [], timestamp: Date? = nil) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
    }

    public var topicPartition: KafkaTopicPartition { KafkaTopicPartition(topic: topic, partition: partition) }

    /// The offset to commit once this record is fully processed (Kafka commits the *next* offset to read).
    public var nextOffset: Int64 { offset + 1 }

    /// The key as UTF-8 text, as this project's record keys are.
    public var keyString: String? { key.map { String(decoding: $0, as: UTF8.self) } }

    /// The first header with this name.
    public func header(_ name: String) -> KafkaHeader? { headers.first { $0.name == name } }
}
