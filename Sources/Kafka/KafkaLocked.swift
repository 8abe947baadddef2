import Synchronization

/// A value shared between Swift tasks and librdkafka's callback threads, guarded by a `Mutex`. A class,
/// so the C callbacks and escaping closures can hold the same box (a `Mutex` itself cannot be copied).
final class KafkaLocked<Value>: Sendable {
    private let value: Mutex<Value>

    init(_ value: sending Value) { self.value = Mutex(value) }

    func withLock<Result>(_ body: (inout sending Value) throws -> sending Result) rethrows -> sending Result {
        try value.withLock(body)
    }
}
