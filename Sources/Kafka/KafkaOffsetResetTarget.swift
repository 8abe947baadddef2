import Foundation

/// Where `KafkaAdmin.resetOffsets` moves a consumer group.
public enum KafkaOffsetResetTarget: Sendable, Hashable {
    /// The oldest record still in each partition.
    case earliest
    /// The end of each partition: only records produced from now on.
    case latest
    /// The same offset on every partition (clamped to what the log holds).
    case offset(Int64)
    /// The first record at or after this time on each partition (broker offsets-for-times).
    case time(Date)
}

/// What a consumer does when it has no committed offset for a partition.
public enum KafkaAutoOffsetReset: String, Sendable {
    case earliest
    case latest
    /// Fail the partition instead: for consumers that must never silently skip or re-read.
    case error
}

/// What `KafkaAdmin.resetOffsets` does when the broker cannot say whether the group has members
/// (the mock cluster implements neither ListGroups nor DescribeGroups).
public enum KafkaGroupMembershipCheck: Sendable {
    /// Throw `KafkaError.groupMembershipUnknown`: the safe default against real clusters.
    case refuse
    /// Reset anyway and log a warning; for local brokers where the caller stopped the consumers itself.
    case proceed
}
