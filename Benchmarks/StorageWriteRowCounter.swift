import Synchronization

/// Rows the benchmark's gRPC sink was sent, read by the feeder's `/count` so the loader benchmark
/// knows when a Storage Write run is done.
final class StorageWriteRowCounter: Sendable {
    private let rows = Mutex(0)

    func add(_ count: Int) { rows.withLock { $0 += count } }

    var value: Int { rows.withLock { $0 } }
}
