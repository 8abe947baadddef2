import CRdKafka
import Foundation

/// A dedicated thread that calls `rd_kafka_poll` until stopped, so delivery reports and errors are
/// served without borrowing a Swift concurrency thread.
final class KafkaPollThread: Sendable {
    private let running = KafkaLocked(true)
    private let finished = DispatchSemaphore(value: 0)

    init(client: RDKafkaClient, name: String) {
        let thread = Thread { [running, finished] in
            // The poll timeout bounds how long `stop` waits; events wake the poll immediately.
            while running.withLock({ $0 }) { rd_kafka_poll(client.handle, 100) }
            finished.signal()
        }
        thread.name = name
        thread.start()
    }

    /// Stops polling and waits for the thread to leave librdkafka. Safe to call more than once.
    func stop() {
        let wasRunning = running.withLock { value -> Bool in defer { value = false }; return value }
        if wasRunning { finished.wait() }
    }
}
