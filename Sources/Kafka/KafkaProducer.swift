import CRdKafka
import Foundation
import Logging

/// Publishes records with librdkafka's idempotent producer (`enable.idempotence=true`, `acks=all`):
/// per-partition order is kept and broker-side retries never duplicate a record.
///
/// `send` returns once the broker acknowledged the record, with where it was stored. One background
/// thread serves librdkafka's delivery reports and resumes the waiting caller directly, so a record
/// costs one continuation, not a thread hop per message. For throughput, hand many records to
/// `send(_:)` at once: they are pipelined and the call resumes once, when all are acknowledged.
public final class KafkaProducer: Sendable {
    private let client: RDKafkaClient
    private let closed = KafkaLocked(false)
    private let poller: KafkaPollThread
    private let logger: Logger

    /// Creates the producer and starts its poll thread. Nothing is sent until `send`.
    public init(configuration: KafkaConfiguration, logger: Logger = Logger(label: "intacct-bigquery.kafka.producer")) throws {
        self.logger = logger
        let callbacks = RDKafkaCallbacks(logger: logger)
        callbacks.delivery = { KafkaDeliveryBatch.handle($0) }
        let properties = configuration.librdkafkaProperties(
            defaults: ["linger.ms": "5", "compression.type": "lz4"],
            enforced: ["enable.idempotence": "true", "acks": "all"]
        )
        client = try RDKafkaClient(type: RD_KAFKA_PRODUCER, properties: properties, callbacks: callbacks)
        poller = KafkaPollThread(client: client, name: "kafka-producer-poll")
    }

    deinit {
        poller.stop()
    }

    /// Learns the partitions and leaders of `topics` before anything is sent to them. Otherwise the
    /// first record of each topic waits for a metadata round of its own (close to a second against the
    /// mock cluster), and a process that starts many streams at once pays it per topic.
    public func prepare(topics: [String], timeout: Duration = .seconds(10)) async throws {
        let client = self.client
        try await DispatchQueue.global().kafkaRun {
            for topic in topics { _ = try client.requestTopic(topic, timeout: timeout) }
        }
    }

    /// Publishes one record and returns once the broker acknowledged it. A `nil` value is a tombstone.
    public func send(topic: String, key: Data?, value: Data?, headers: [KafkaHeader] = []) async throws -> KafkaCoordinates {
        try await send([KafkaOutgoingMessage(topic: topic, key: key, value: value, headers: headers)])[0]
    }

    /// Publishes one record with a UTF-8 key.
    public func send(topic: String, key: String, value: Data?, headers: [KafkaHeader] = []) async throws -> KafkaCoordinates {
        try await send(topic: topic, key: Data(key.utf8), value: value, headers: headers)
    }

    /// Publishes the records and returns their delivery reports, in the same order, once every one
    /// was acknowledged. If any failed, throws the first failure — after all others settled, so no
    /// report is left dangling. Records on the same partition are stored in the order given.
    public func send(_ messages: [KafkaOutgoingMessage]) async throws -> [KafkaCoordinates] {
        try await enqueue(messages).acknowledged()
    }

    /// Hands the records to librdkafka, in order, and returns without waiting for the broker: the
    /// caller awaits `acknowledged()` when it needs to know they are stored. A caller that enqueues
    /// several batches one after the other keeps their order per partition, so it can prepare the next
    /// batch while the previous one is on the wire. Returns only after the last record was enqueued
    /// (it waits while librdkafka's local queue is full).
    public func enqueue(_ messages: [KafkaOutgoingMessage]) async throws -> KafkaProducerDelivery {
        guard !messages.isEmpty else { return KafkaProducerDelivery(batch: nil) }
        guard !closed.withLock({ $0 }) else { throw KafkaError.closed }
        let batch = KafkaDeliveryBatch(count: messages.count)
        for (index, message) in messages.enumerated() {
            let slot = Unmanaged.passRetained(KafkaDeliveryBatch.Slot(batch: batch, index: index))
            while true {
                guard let error = RDKafkaMessageWriter.produce(message, opaque: slot.toOpaque(), on: client.handle) else { break }
                if rd_kafka_error_code(error) == RD_KAFKA_RESP_ERR__QUEUE_FULL {
                    // The local queue is full of records awaiting acknowledgement: serving delivery
                    // reports is what frees room, so poll briefly and retry rather than fail.
                    rd_kafka_error_destroy(error)
                    rd_kafka_poll(client.handle, 10)
                    await Task.yield()
                    continue
                }
                slot.release()
                batch.complete(index: index, with: .failure(KafkaError.consuming(error, topic: message.topic, partition: message.partition)))
                break
            }
        }
        return KafkaProducerDelivery(batch: batch)
    }

    /// Waits until every record handed to `send` was acknowledged or failed, or `timeout` passed.
    public func flush(timeout: Duration = .seconds(30)) async throws {
        let client = self.client
        let err = try await DispatchQueue.global().kafkaRun { rd_kafka_flush(client.handle, timeout.rdKafkaMilliseconds) }
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.from(err) }
    }

    /// Flushes, then stops the producer. Records still unacknowledged after `timeout` are purged and
    /// their `send` calls fail (`_PURGE_QUEUE` / `_PURGE_INFLIGHT`) instead of hanging.
    ///
    /// Cancelling the calling task stops the wait, not librdkafka's flush: against a dead broker the flush
    /// takes its whole `timeout`, longer than a bounded shutdown may wait. The records still unacknowledged
    /// are counted in the log; the flush, the purge and the poll thread's stop finish in the background.
    public func close(timeout: Duration = .seconds(30)) async {
        let alreadyClosed = closed.withLock { value -> Bool in defer { value = true }; return value }
        guard !alreadyClosed else { return }
        let client = self.client, poller = self.poller, logger = self.logger
        // The body never throws; `try?` only unwraps the helper's signature.
        let finished = (try? await DispatchQueue.global().kafkaRunUnlessAbandoned(timeout: nil, startsWhenCancelled: true) {
            if rd_kafka_flush(client.handle, timeout.rdKafkaMilliseconds) != RD_KAFKA_RESP_ERR_NO_ERROR {
                let left = rd_kafka_outq_len(client.handle)
                logger.warning("Kafka producer closing with \(left) unacknowledged record(s); purging them")
                rd_kafka_purge(client.handle, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
                // Purged records still get a delivery report; serve them so their callers resume.
                rd_kafka_flush(client.handle, 1000)
            }
            poller.stop()
        }) ?? false
        if !finished {
            let left = rd_kafka_outq_len(client.handle)
            logger.warning("Kafka producer close abandoned (shutdown) with \(left) unacknowledged record(s); the flush and purge finish in the background",
                           metadata: ["unacknowledged": "\(left)"])
        }
    }
}
