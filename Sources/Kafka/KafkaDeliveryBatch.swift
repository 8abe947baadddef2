import CRdKafka
import Foundation
import Synchronization

/// Collects the delivery reports of the messages of one `KafkaProducer.send` call and resumes the
/// caller once, when the last one arrived. Reports arrive on the poll thread; the caller's
/// continuation is installed only after every message was handed to librdkafka, so either side may
/// come first.
final class KafkaDeliveryBatch: Sendable {
    /// librdkafka's per-message opaque: which batch, which slot. Retained while librdkafka holds it.
    final class Slot: Sendable {
        let batch: KafkaDeliveryBatch
        let index: Int
        init(batch: KafkaDeliveryBatch, index: Int) {
            self.batch = batch
            self.index = index
        }
    }

    private struct State {
        var reports: [KafkaCoordinates?]
        var firstError: KafkaError?
        var outstanding: Int
        var continuation: CheckedContinuation<[KafkaCoordinates], Error>?

        var outcome: Result<[KafkaCoordinates], Error> {
            if let firstError { return .failure(firstError) }
            return .success(reports.map { $0! })
        }
    }

    private let state: Mutex<State>

    init(count: Int) {
        state = Mutex(State(reports: Array(repeating: nil, count: count), outstanding: count))
    }

    func complete(index: Int, with result: Result<KafkaCoordinates, KafkaError>) {
        let resume: (CheckedContinuation<[KafkaCoordinates], Error>, Result<[KafkaCoordinates], Error>)? = state.withLock { state in
            switch result {
            case .success(let report): state.reports[index] = report
            case .failure(let error): if state.firstError == nil { state.firstError = error }
            }
            state.outstanding -= 1
            guard state.outstanding == 0, let continuation = state.continuation else { return nil }
            state.continuation = nil
            return (continuation, state.outcome)
        }
        if let (continuation, outcome) = resume { continuation.resume(with: outcome) }
    }

    /// Waits for every slot. Call once, after all messages were enqueued or failed.
    func wait() async throws -> [KafkaCoordinates] {
        try await withCheckedThrowingContinuation { continuation in
            let ready: Result<[KafkaCoordinates], Error>? = state.withLock { state in
                if state.outstanding == 0 { return state.outcome }
                state.continuation = continuation
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }

    /// Delivery-report callback body: turns librdkafka's message into a report for its slot.
    static func handle(_ message: UnsafePointer<rd_kafka_message_t>) {
        guard let opaque = message.pointee._private else { return }
        let slot = Unmanaged<Slot>.fromOpaque(opaque).takeRetainedValue()
        let topic = message.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
        let err = message.pointee.err
        if err == RD_KAFKA_RESP_ERR_NO_ERROR {
            slot.batch.complete(index: slot.index, with: .success(
                KafkaCoordinates(topic: topic, partition: message.pointee.partition, offset: message.pointee.offset)))
        } else {
            slot.batch.complete(index: slot.index, with: .failure(
                KafkaError.from(err, topic: topic, partition: message.pointee.partition)))
        }
    }
}
