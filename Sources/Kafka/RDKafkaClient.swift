import CRdKafka
import Foundation
import Logging

/// Owns one `rd_kafka_t` and destroys it exactly once. This is the one place handles are created;
/// the public clients hold one of these and reach librdkafka through `handle`.
// @unchecked Sendable: an rd_kafka_t is thread-safe per librdkafka's docs; `handle` never changes and is destroyed only in deinit.
final class RDKafkaClient: @unchecked Sendable {
    let handle: OpaquePointer
    let callbacks: RDKafkaCallbacks
    private let skipConsumerClose = KafkaLocked(false)

    init(type: rd_kafka_type_t, properties: [(String, String)], callbacks: RDKafkaCallbacks) throws {
        let conf = try RDKafkaClient.makeConfiguration(properties)
        callbacks.install(on: conf)
        var errstr = [CChar](repeating: 0, count: 512)
        guard let handle = rd_kafka_new(type, conf, &errstr, errstr.count) else {
            // rd_kafka_new takes ownership of the configuration only when it succeeds.
            rd_kafka_conf_destroy(conf)
            throw KafkaError.configuration(property: "(client)", message: String(errorBuffer: errstr))
        }
        self.handle = handle
        self.callbacks = callbacks
    }

    /// Builds an `rd_kafka_conf_t`; an error names the property librdkafka refused.
    static func makeConfiguration(_ properties: [(String, String)]) throws -> OpaquePointer {
        guard let conf = rd_kafka_conf_new() else { throw KafkaError.configuration(property: "(all)", message: "out of memory") }
        var errstr = [CChar](repeating: 0, count: 512)
        for (name, value) in properties {
            if rd_kafka_conf_set(conf, name, value, &errstr, errstr.count) != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                throw KafkaError.configuration(property: name, message: String(errorBuffer: errstr))
            }
        }
        return conf
    }

    /// Tells `deinit` the consumer was already closed, so destroying must not close it again.
    func consumerWasClosed() { skipConsumerClose.withLock { $0 = true } }

    deinit {
        if skipConsumerClose.withLock({ $0 }) {
            rd_kafka_destroy_flags(handle, Int32(RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE))
        } else {
            rd_kafka_destroy(handle)
        }
    }

    /// Metadata for all topics (`rd_kafka_metadata` with all_topics=1). Asking for one topic by name
    /// would let a producer handle auto-create it, which a read must never do.
    func topicMetadata(timeout: Duration) throws -> [String: Int] {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let err = rd_kafka_metadata(handle, 1, nil, &metadata, timeout.rdKafkaMilliseconds)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else { throw KafkaError.from(err) }
        defer { rd_kafka_metadata_destroy(metadata) }
        var topics: [String: Int] = [:]
        for index in 0..<Int(metadata.pointee.topic_cnt) {
            let topic = metadata.pointee.topics[index]
            guard topic.err == RD_KAFKA_RESP_ERR_NO_ERROR else { continue }
            topics[String(cString: topic.topic)] = Int(topic.partition_cnt)
        }
        return topics
    }

    /// Whether the cluster's metadata names a controller that is one of its brokers. CreateTopics
    /// and other admin requests go to the controller; librdkafka's mock cluster reports controller 0,
    /// which is no broker, and a request would only wait for it until it timed out.
    func hasController(timeout: Duration) -> Bool {
        let controller = rd_kafka_controllerid(handle, timeout.rdKafkaMilliseconds)
        guard controller >= 0 else { return false }
        var metadata: UnsafePointer<rd_kafka_metadata>?
        guard rd_kafka_metadata(handle, 0, nil, &metadata, timeout.rdKafkaMilliseconds) == RD_KAFKA_RESP_ERR_NO_ERROR,
              let metadata else { return false }
        defer { rd_kafka_metadata_destroy(metadata) }
        return (0..<Int(metadata.pointee.broker_cnt)).contains { metadata.pointee.brokers[$0].id == controller }
    }

    /// Asks for one topic's metadata through a topic handle, which on a producer handle lets the
    /// broker auto-create it when `auto.create.topics.enable` is on.
    func requestTopic(_ name: String, timeout: Duration) throws -> Int {
        guard let topic = rd_kafka_topic_new(handle, name, nil) else {
            throw KafkaError.from(rd_kafka_last_error(), topic: name)
        }
        defer { rd_kafka_topic_destroy(topic) }
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let err = rd_kafka_metadata(handle, 0, topic, &metadata, timeout.rdKafkaMilliseconds)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else { throw KafkaError.from(err, topic: name) }
        defer { rd_kafka_metadata_destroy(metadata) }
        guard metadata.pointee.topic_cnt > 0 else { throw KafkaError.unknownTopic(name) }
        let entry = metadata.pointee.topics[0]
        guard entry.err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.from(entry.err, topic: name) }
        return Int(entry.partition_cnt)
    }

    /// Low and high watermark of one partition, asked of the partition leader.
    func watermarks(_ partition: KafkaTopicPartition, timeout: Duration) throws -> (low: Int64, high: Int64) {
        var low: Int64 = 0
        var high: Int64 = 0
        let err = rd_kafka_query_watermark_offsets(handle, partition.topic, partition.partition, &low, &high, timeout.rdKafkaMilliseconds)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError.from(err, topic: partition.topic, partition: partition.partition)
        }
        return (low, high)
    }

    /// Asks the leader of each of `partitions` for their latest offsets (one ListOffsets request per
    /// leader) and ignores the offsets: the request is what wakes each leader's broker thread
    /// (`KafkaFetchWake`). True when every leader answered.
    func wakeLeaders(of partitions: Set<KafkaTopicPartition>, timeout: Duration) -> Bool {
        let list = RDKafkaTopicPartitionList(capacity: partitions.count)
        // For a ListOffsets request the offset is the timestamp asked for: -1, the latest.
        for partition in partitions { _ = list.add(partition, offset: -1) }
        return rd_kafka_offsets_for_times(handle, list.pointer, timeout.rdKafkaMilliseconds) == RD_KAFKA_RESP_ERR_NO_ERROR
    }
}

extension Duration {
    /// Milliseconds for librdkafka's `int timeout_ms` parameters, saturating instead of trapping, and
    /// rounded up: a wait of 0.4 ms rounded down would be 0, which returns at once, and a loop polling
    /// until a deadline would spin through its last millisecond.
    var rdKafkaMilliseconds: Int32 {
        let (seconds, attoseconds) = components
        guard seconds >= 0, attoseconds >= 0 else { return 0 }
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return .max }
        let partial = attoseconds / 1_000_000_000_000_000 + (attoseconds % 1_000_000_000_000_000 > 0 ? 1 : 0)
        return Int32(clamping: whole &+ partial)
    }
}
