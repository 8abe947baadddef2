/// What a `KafkaConsumer` remembers between its callbacks and its callers; always behind a lock.
struct KafkaConsumerState {
    var closed = false
    /// Partitions owned since the last rebalance.
    var assigned: Set<KafkaTopicPartition> = []
    /// Next-offsets the application finished, not necessarily committed.
    var marked: [KafkaTopicPartition: Int64] = [:]
    /// Next-offsets this member committed.
    var committed: [KafkaTopicPartition: Int64] = [:]
    /// Partitions revoked while a poll was collecting records; that poll drops their records.
    var revokedDuringPoll: Set<KafkaTopicPartition> = []
    /// Outcome of the commit the last revoke attempted: nil if no revoke ran since it was reset.
    var revokeCommit: Result<Void, KafkaError>?
    /// When to wake librdkafka's fetchers after a drained queue.
    var fetchWake: KafkaFetchWake
}
