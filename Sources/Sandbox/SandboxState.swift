import Foundation
import Synchronization

/// All mutable state of one sandbox behind one `Mutex`; the immutable parts (configuration, the generated
/// layout, the query cache, which has its own lock) are read without it.
final class SandboxState: Sendable {
    let configuration: SandboxConfiguration
    let layout: CompanyLayout
    let queryCache = QueryCache()

    private let guarded: Mutex<SandboxLockedState>

    init(configuration: SandboxConfiguration) {
        self.configuration = configuration
        let layout = CompanyLayout(seed: configuration.seed, scale: configuration.scale, clockStart: IntacctTime.defaultClockStart,
                                   utcOffset: configuration.utcOffsetSeconds)
        self.layout = layout
        guarded = Mutex(SandboxLockedState(configuration: configuration, layout: layout))
    }

    /// Runs `body` with the state locked; keep it to bookkeeping.
    func locked<T: Sendable, E: Error>(_ body: (inout SandboxLockedState) throws(E) -> T) throws(E) -> T {
        try guarded.withLock { (state) throws(E) -> T in try body(&state) }
    }
}

/// A readByQuery result being paged by readMore: pinned to the snapshot it was computed on.
struct ResultCursor: Sendable {
    var snapshot: CompanySnapshot
    var sequence: any RecordSequence
    var object: SandboxObject
    var fields: [Int]
    var position: Int
    var pageSize: Int
}
