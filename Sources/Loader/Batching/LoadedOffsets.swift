/// The Kafka offsets of one topic-partition that are already rows in a BigQuery table, as sorted,
/// disjoint runs of consecutive offsets. Runs, not a set: a replay over a full table learns every
/// offset of the partition, and a partition's offsets are consecutive except where compaction, dead
/// letters or transaction markers left gaps, so the runs stay few whatever the table's size.
public struct LoadedOffsets: Sendable, Equatable {
    public private(set) var runs: [ClosedRange<Int64>]

    /// `runs` may come in any order and overlap; they are sorted and merged.
    public init(runs: [ClosedRange<Int64>] = []) {
        var merged: [ClosedRange<Int64>] = []
        for run in runs.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = merged.last, run.lowerBound <= last.upperBound + 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, run.upperBound)
            } else {
                merged.append(run)
            }
        }
        self.runs = merged
    }

    public var isEmpty: Bool { runs.isEmpty }

    /// The highest offset known to be loaded.
    public var upperBound: Int64? { runs.last?.upperBound }

    /// How many offsets the runs cover.
    public var count: Int64 { runs.reduce(0) { $0 + Int64($1.count) } }

    public func contains(_ offset: Int64) -> Bool {
        var low = 0, high = runs.count
        while low < high {
            let middle = (low + high) / 2
            if runs[middle].upperBound < offset { low = middle + 1 } else { high = middle }
        }
        return low < runs.count && runs[low].contains(offset)
    }
}
