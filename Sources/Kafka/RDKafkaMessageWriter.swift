import CRdKafka
import Foundation

/// Turns a `KafkaOutgoingMessage` into one `rd_kafka_produceva` call. `rd_kafka_producev` is
/// variadic and cannot be called from Swift; `produceva` takes the same fields as an array.
enum RDKafkaMessageWriter {
    /// Enqueues the message (payload copied by librdkafka) and returns librdkafka's error object, if
    /// any, for the caller to inspect and destroy.
    static func produce(_ message: KafkaOutgoingMessage, opaque: UnsafeMutableRawPointer, on handle: OpaquePointer) -> OpaquePointer? {
        // Header names must be NUL-terminated and every pointer must stay valid during the call, so
        // names and values are laid out in one scratch buffer that lives until produceva returns.
        var scratchSize = 0
        for header in message.headers { scratchSize += header.name.utf8.count + 1 + (header.value?.count ?? 0) }
        let scratch = UnsafeMutableRawPointer.allocate(byteCount: max(scratchSize, 1), alignment: 1)
        defer { scratch.deallocate() }

        var fields: [rd_kafka_vu_t] = []
        fields.reserveCapacity(6 + message.headers.count)
        var cursor = scratch
        for header in message.headers {
            var field = rd_kafka_vu_t()
            field.vtype = RD_KAFKA_VTYPE_HEADER
            let name = cursor
            for byte in header.name.utf8 { cursor.storeBytes(of: byte, as: UInt8.self); cursor += 1 }
            cursor.storeBytes(of: 0, as: UInt8.self); cursor += 1
            field.u.header.name = UnsafePointer(name.assumingMemoryBound(to: CChar.self))
            if let value = header.value {
                value.copyBytes(to: cursor.assumingMemoryBound(to: UInt8.self), count: value.count)
                field.u.header.val = UnsafeRawPointer(cursor)
                field.u.header.size = value.count
                cursor += value.count
            } else {
                // NULL with size -1 is a header with a null value, distinct from an empty one.
                field.u.header.val = nil
                field.u.header.size = -1
            }
            fields.append(field)
        }

        var flags = rd_kafka_vu_t()
        flags.vtype = RD_KAFKA_VTYPE_MSGFLAGS
        flags.u.i = RD_KAFKA_MSG_F_COPY
        fields.append(flags)
        var opaqueField = rd_kafka_vu_t()
        opaqueField.vtype = RD_KAFKA_VTYPE_OPAQUE
        opaqueField.u.ptr = opaque
        fields.append(opaqueField)
        if let partition = message.partition {
            var field = rd_kafka_vu_t()
            field.vtype = RD_KAFKA_VTYPE_PARTITION
            field.u.i32 = partition
            fields.append(field)
        }

        return message.topic.withCString { topic in
            withOptionalBytes(message.key) { key, keyCount in
                withOptionalBytes(message.value) { value, valueCount in
                    var topicField = rd_kafka_vu_t()
                    topicField.vtype = RD_KAFKA_VTYPE_TOPIC
                    topicField.u.cstr = topic
                    fields.append(topicField)
                    if let key {
                        var field = rd_kafka_vu_t()
                        field.vtype = RD_KAFKA_VTYPE_KEY
                        field.u.mem.ptr = UnsafeMutableRawPointer(mutating: key)
                        field.u.mem.size = keyCount
                        fields.append(field)
                    }
                    // A NULL value is a tombstone; an empty Data is a zero-length (non-null) value.
                    var valueField = rd_kafka_vu_t()
                    valueField.vtype = RD_KAFKA_VTYPE_VALUE
                    valueField.u.mem.ptr = value.map { UnsafeMutableRawPointer(mutating: $0) }
                    valueField.u.mem.size = valueCount
                    fields.append(valueField)
                    return fields.withUnsafeBufferPointer { rd_kafka_produceva(handle, $0.baseAddress, $0.count) }
                }
            }
        }
    }

    /// Calls `body` with the bytes of `data` (a non-NULL pointer even when empty) or NULL for `nil`.
    private static func withOptionalBytes<T>(_ data: Data?, _ body: (UnsafeRawPointer?, Int) -> T) -> T {
        guard let data else { return body(nil, 0) }
        if data.isEmpty {
            var zero: UInt8 = 0
            return withUnsafeBytes(of: &zero) { body($0.baseAddress, 0) }
        }
        return data.withUnsafeBytes { body($0.baseAddress, $0.count) }
    }
}
