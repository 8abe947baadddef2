/// One record of one entity: enough to regenerate it from a snapshot.
struct RecordRef: Sendable, Equatable {
    var entity: Int
    var index: Int
}

/// The ordered answer to a query, from which pages are cut by offset. Implementations never hold rows,
/// only references (or nothing at all, for the arithmetic fast path).
protocol RecordSequence: Sendable {
    var count: Int { get }
    func ref(at position: Int) -> RecordRef
}

/// Every record of one (entity, object) whose WHENMODIFIED lies in a range, ordered by WHENMODIFIED then
/// RECORDNO, without materialising anything: untouched generated records come first in index order (their
/// WHENMODIFIED is strictly increasing and earlier than the clock start), followed by the sparse modified
/// ones, which all carry times at or after the clock start.
struct ScopeSequence: RecordSequence {
    let entity: Int
    let baseLow: Int
    let baseHigh: Int
    /// Indices in `baseLow..<baseHigh` that are modified or deleted, sorted: skipped in the base part.
    let excluded: [Int]
    /// Modified indices whose new WHENMODIFIED is in range, in (WHENMODIFIED, index) order.
    let modified: [Int]

    init(snapshot: CompanySnapshot, object: SandboxObject, entity: Int, from low: Int64, through high: Int64) {
        let layout = snapshot.layout
        self.entity = entity
        let n = layout.count(object, entity: entity)
        baseLow = low == .min ? 0 : layout.firstIndex(object, entity: entity, atOrAfter: low)
        baseHigh = max(baseLow, high == .max ? n : layout.firstIndex(object, entity: entity, atOrAfter: high + 1))
        let overlay = snapshot.state.overlay(object, entity: entity) ?? ObjectOverlay()
        let lo = baseLow, hi = baseHigh
        excluded = (Array(overlay.modified.keys) + Array(overlay.deleted.keys)).filter { $0 >= lo && $0 < hi }.sorted()
        modified = overlay.modified.filter { $0.value.whenModified >= low && $0.value.whenModified <= high }
            .sorted { ($0.value.whenModified, $0.key) < ($1.value.whenModified, $1.key) }
            .map(\.key)
    }

    var baseCount: Int { baseHigh - baseLow - excluded.count }
    var count: Int { baseCount + modified.count }

    func ref(at position: Int) -> RecordRef {
        if position >= baseCount { return RecordRef(entity: entity, index: modified[position - baseCount]) }
        // The position-th index not excluded is the smallest fixed point of
        // f(i) = baseLow + position + |excluded ≤ i|, reached by iterating from below.
        var index = baseLow + position
        while true {
            let next = baseLow + position + excludedCount(atOrBelow: index)
            if next == index { return RecordRef(entity: entity, index: index) }
            index = next
        }
    }

    private func excludedCount(atOrBelow index: Int) -> Int {
        var lo = 0, hi = excluded.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if excluded[mid] <= index { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

/// A result whose order had to be computed (several entities merged, a residual filter, another order):
/// references only, cached so that later pages of the same query are cheap.
struct MaterializedSequence: RecordSequence {
    let refs: [RecordRef]
    var count: Int { refs.count }
    func ref(at position: Int) -> RecordRef { refs[position] }
}

/// Another sequence without its first `skip` elements: a keyset page's ties already read.
struct SkippedSequence: RecordSequence {
    let base: ScopeSequence
    let skip: Int
    var count: Int { base.count - skip }
    func ref(at position: Int) -> RecordRef { base.ref(at: position + skip) }
}
