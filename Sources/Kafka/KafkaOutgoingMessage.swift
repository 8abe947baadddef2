import Foundation

/// A record to publish. A `nil` value is a tombstone: on a compacted topic it deletes the key.
public struct KafkaOutgoingMessage: Sendable {
    public var topic: String
    public var key: Data?
    public var value: Data?
    public var headers: [KafkaHeader]
    /// A fixed partition; `nil` lets the partitioner hash the key, which keeps a key's versions in order.
    public var partition: Int32?

    public init(topic: String, key: Data?, value: Data?, headers: [KafkaHeader] = [], partition: Int32? = nil) {
        self.topic = topic
        self.key = key
        self.value = value
        self.headers = headers
        self.partition = partition
    }

    /// A record with a UTF-8 key, as this project's record keys are.
    public init(topic: String, key: String, value: Data?, headers: [KafkaHeader] = [], partition: Int32? = nil) {
        self.init(topic: topic, key: Data(key.utf8), value: value, headers: headers, partition: partition)
    }
}
