import CRdKafka
import Foundation

/// Copies consumed `rd_kafka_message_t`s into Swift `KafkaMessage`s, so the C messages can be destroyed
/// when the poll returns.
enum RDKafkaMessageReader {
    /// The topic name of the last message read: a poll returns runs of one topic, so a name is made once
    /// per run and the run's messages share one `String` (one allocation, and topics that compare by identity).
    struct TopicNames {
        private var last: (handle: OpaquePointer, name: String)?

        mutating func name(of handle: OpaquePointer?) -> String {
            guard let handle, let cName = rd_kafka_topic_name(handle) else { return "" }
            if let last, last.handle == handle, last.name.withCString({ strcmp($0, cName) == 0 }) { return last.name }
            let name = String(cString: cName)
            last = (handle, name)
            return name
        }
    }

    /// The messages of one poll, copied out in order, and the bytes of their keys and values. Those are
    /// slices of one buffer holding all of them: a poll of thousands of records costs one allocation,
    /// not two per key and two per value, and a slice keeps the buffer alive for as long as it is held.
    static func messages(from raws: [UnsafeMutablePointer<rd_kafka_message_t>]) -> (messages: [KafkaMessage], bytes: Int) {
        var total = 0
        for raw in raws {
            total += (raw.pointee.key == nil ? 0 : raw.pointee.key_len) + (raw.pointee.payload == nil ? 0 : raw.pointee.len)
        }
        // Not zeroed first (as `Data(count:)` would): every byte is copied over at once.
        let storage = UnsafeMutableRawPointer.allocate(byteCount: max(total, 1), alignment: 1)
        var ranges: [(key: Range<Int>?, value: Range<Int>?)] = []
        ranges.reserveCapacity(raws.count)
        var at = 0
        func copy(_ bytes: UnsafeMutableRawPointer?, count: Int) -> Range<Int>? {
            guard let bytes else { return nil }
            if count > 0 { (storage + at).copyMemory(from: bytes, byteCount: count) }
            defer { at += count }
            return at..<(at + count)
        }
        for raw in raws {
            // A NULL payload is a tombstone; a non-NULL one of length 0 is an empty value.
            ranges.append((copy(raw.pointee.key, count: raw.pointee.key_len), copy(raw.pointee.payload, count: raw.pointee.len)))
        }
        let buffer: Data
        if total > 0 {
            buffer = Data(bytesNoCopy: storage, count: total, deallocator: .custom { bytes, _ in bytes.deallocate() })
        } else {
            storage.deallocate()
            buffer = Data()
        }
        var topics = TopicNames()
        var messages: [KafkaMessage] = []
        messages.reserveCapacity(raws.count)
        for (raw, range) in zip(raws, ranges) {
            messages.append(message(from: raw, key: range.key.map { buffer[$0] }, value: range.value.map { buffer[$0] }, topics: &topics))
        }
        return (messages, total)
    }

    /// Where a consumed message came from.
    static func topicPartition(of raw: UnsafeMutablePointer<rd_kafka_message_t>) -> KafkaTopicPartition {
        KafkaTopicPartition(topic: raw.pointee.rkt.flatMap(rd_kafka_topic_name).map { String(cString: $0) } ?? "", partition: raw.pointee.partition)
    }

    private static func message(from raw: UnsafeMutablePointer<rd_kafka_message_t>, key: Data?, value: Data?, topics: inout TopicNames) -> KafkaMessage {
        let m = raw.pointee
        let topic = topics.name(of: m.rkt)
        var headers: [KafkaHeader] = []
        var raw_headers: OpaquePointer?
        if rd_kafka_message_headers(raw, &raw_headers) == RD_KAFKA_RESP_ERR_NO_ERROR, let raw_headers {
            var index = 0
            var name: UnsafePointer<CChar>?
            var bytes: UnsafeRawPointer?
            var size = 0
            while rd_kafka_header_get_all(raw_headers, index, &name, &bytes, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
                headers.append(KafkaHeader(name: name.map { String(cString: $0) } ?? "",
                                           value: bytes.map { Data(bytes: $0, count: size) }))
                index += 1
            }
        }
        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let millis = rd_kafka_message_timestamp(raw, &timestampType)
        let timestamp = millis >= 0 ? Date(timeIntervalSince1970: Double(millis) / 1000) : nil
        return KafkaMessage(topic: topic, partition: m.partition, offset: m.offset, key: key, value: value,
                            headers: headers, timestamp: timestamp)
    }

    /// The text of an error message (librdkafka puts it in the payload).
    static func errorText(_ raw: UnsafeMutablePointer<rd_kafka_message_t>) -> String? {
        guard let errstr = rd_kafka_message_errstr(raw) else { return nil }
        return String(cString: errstr)
    }
}
