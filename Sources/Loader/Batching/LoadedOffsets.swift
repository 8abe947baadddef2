/// What BigQuery holds of one topic-partition from a read start on: the highest offset it holds there,
/// and, for a window of offsets, which record version sits at each one (`RowIdentity`).
///
/// Identities, not bare offsets: an offset names one message only while the topic is the one the
/// table was loaded from. After a topic is deleted and created again, or a broker loses its log and the
/// poller publishes again, the same offset can carry another record or another version of it; a row is
/// skipped only when BigQuery holds *that* version at *that* offset. A window bounds memory: a replay
/// over a full table learns its rows a window at a time, as reading gets there.
public struct LoadedOffsets: Sendable, Equatable {
    /// The highest offset at or above the read start that the table holds.
    public let highest: Int64
    /// The offsets whose rows `identities` lists (all of them, loaded or not).
    public private(set) var window: Range<Int64>
    private var identities: [Int64: [Int]] = [:]

    public init(highest: Int64, window: Range<Int64> = 0..<0, identities: [Int64: [Int]] = [:]) {
        self.highest = highest
        self.window = window
        self.identities = identities
    }

    /// What BigQuery holds at an offset, for a row about to be written there.
    public enum Verdict: Sendable, Equatable {
        /// Nothing: write the row.
        case absent
        /// This very version: leave the row out.
        case loaded
        /// Another record or version: the topic is not the one the table was loaded from; write the row.
        case other
    }

    /// Whether `offset` needs a window that is not here yet.
    public func needsWindow(for offset: Int64) -> Bool { offset <= highest && !window.contains(offset) }

    /// Replaces the window.
    public mutating func load(window: Range<Int64>, identities: [Int64: [Int]]) {
        self.window = window
        self.identities = identities
    }

    public func verdict(at offset: Int64, identity: Int) -> Verdict {
        guard offset <= highest, window.contains(offset), let held = identities[offset] else { return .absent }
        return held.contains(identity) ? .loaded : .other
    }
}
