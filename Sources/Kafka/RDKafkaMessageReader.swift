import CRdKafka
import Foundation

/// Copies a consumed `rd_kafka_message_t` into a Swift `KafkaMessage`, so the C message can be
/// destroyed right away.
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

    static func message(from raw: UnsafeMutablePointer<rd_kafka_message_t>, topics: inout TopicNames) -> KafkaMessage {
        let m = raw.pointee
        let topic = topics.name(of: m.rkt)
        let key = m.key.map { Data(bytes: $0, count: m.key_len) }
        // A NULL payload is a tombstone; a non-NULL one of length 0 is an empty value.
        let value = m.payload.map { Data(bytes: $0, count: m.len) }
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
