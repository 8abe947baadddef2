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

    /// Runs a blocking librdkafka call on this queue and returns true once it finished, or false as soon
    /// as `timeout` passes or the calling task is cancelled. librdkafka's calls cannot be interrupted, so
    /// an abandoned `body` still runs to its end on the queue, holding its own references. A task already
    /// cancelled does not start `body`, unless `startsWhenCancelled` (work that must happen anyway).
    func kafkaRunUnlessAbandoned(timeout: Duration?, startsWhenCancelled: Bool = false,
                                 _ body: @escaping @Sendable () throws -> Void) async throws -> Bool {
        let pending = KafkaLocked<CheckedContinuation<Bool, any Error>?>(nil)
        let finish: @Sendable (Result<Bool, any Error>) -> Void = { result in
            pending.withLock { continuation in
                continuation?.resume(with: result)
                continuation = nil
            }
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Bool, any Error>) in
                pending.withLock { $0 = continuation }
                if Task.isCancelled && !startsWhenCancelled { return finish(.success(false)) }
                self.async { finish(Result { try body(); return true }) }
                if Task.isCancelled { return finish(.success(false)) }
                if let timeout {
                    DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(timeout.rdKafkaMilliseconds))) {
                        finish(.success(false))
                    }
                }
            }
        } onCancel: {
            finish(.success(false))
        }
    }
}
