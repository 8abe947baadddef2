import Dispatch

extension DispatchQueue {
    /// Runs a blocking librdkafka call on this queue and awaits its result, so Swift concurrency's
    /// small cooperative pool is never held by a call that waits on the network.
    func kafkaRun<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            self.async {
                continuation.resume(with: Result { try body() })
            }
        }
    }
}
