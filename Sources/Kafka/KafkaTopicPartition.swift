/// One partition of one topic: the unit Kafka orders, assigns, pauses and commits.
public struct KafkaTopicPartition: Hashable, Sendable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32

    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public var description: String { "\(topic)/\(partition)" }
}

extension KafkaTopicPartition {
    /// A set of partitions as one short text, a topic at a time in name order: `a.b/0,2 a.c/1` — what a
    /// log line says a member was assigned or lost, whole even for a hundred partitions.
    public static func summary(_ partitions: some Collection<KafkaTopicPartition>) -> String {
        Dictionary(grouping: partitions, by: \.topic).sorted { $0.key < $1.key }.map { topic, members in
            "\(topic)/" + members.map(\.partition).sorted().map(String.init).joined(separator: ",")
        }.joined(separator: " ")
    }
}
