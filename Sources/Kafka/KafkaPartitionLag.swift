/// How far a consumer is behind on one partition.
public struct KafkaPartitionLag: Hashable, Sendable {
    /// The group's committed next-offset, `nil` when the group never committed on this partition.
    public var committed: Int64?
    /// The consumer's in-memory position (next offset it will fetch), `nil` before its first fetch.
    public var position: Int64?
    /// Oldest offset still in the log.
    public var lowWatermark: Int64
    /// Offset the next produced record will get.
    public var highWatermark: Int64

    public init(committed: Int64?, position: Int64?, lowWatermark: Int64, highWatermark: Int64) {
        self.committed = committed
        self.position = position
        self.lowWatermark = lowWatermark
        self.highWatermark = highWatermark
    }

    /// Records not yet committed: what a restart would have to re-read, and what autoscaling watches.
    public var lag: Int64 { max(0, highWatermark - max(committed ?? lowWatermark, lowWatermark)) }
}
