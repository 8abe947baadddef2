/// Appends protobuf wire-format fields to a byte buffer: the few wire types a BigQuery row uses
/// (varint, 64-bit, length-delimited). Hand-written instead of a `SwiftProtobuf.Message` because the
/// row's message type exists only at run time (its descriptor is built from the table), and writing
/// the bytes directly skips building any intermediate value per row.
struct ProtoWireWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    /// Empties the buffer for the next row, keeping its storage.
    mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

    private mutating func appendKey(_ key: FieldKey) {
        var packed = key.packed
        for _ in 0..<key.count {
            bytes.append(UInt8(truncatingIfNeeded: packed))
            packed >>= 8
        }
    }

    /// The key of a field: number and wire type, pre-encoded once per column. Kept inline (a column's
    /// key is one or two varint bytes) rather than as an array, so writing it touches no heap.
    struct FieldKey: Sendable, Equatable {
        /// The varint bytes, first byte lowest.
        let packed: UInt64
        let count: Int

        init(number: Int, wireType: WireType) {
            // Field numbers stop at 2^29 - 1, so the key's varint is at most five bytes.
            var value = UInt64(number) << 3 | UInt64(wireType.rawValue)
            var packed: UInt64 = 0
            var count = 0
            while value >= 0x80 {
                packed |= (value & 0x7F | 0x80) << UInt64(8 * count)
                value >>= 7
                count += 1
            }
            self.packed = packed | value << UInt64(8 * count)
            self.count = count + 1
        }
    }

    enum WireType: UInt8 {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
    }

    mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    /// int32 and int64 fields: negative values are sign-extended to ten bytes, as protobuf requires.
    mutating func int64(_ key: FieldKey, _ value: Int64) {
        appendKey(key)
        varint(UInt64(bitPattern: value))
    }

    mutating func bool(_ key: FieldKey, _ value: Bool) {
        appendKey(key)
        bytes.append(value ? 1 : 0)
    }

    mutating func double(_ key: FieldKey, _ value: Double) {
        appendKey(key)
        var bits = value.bitPattern.littleEndian
        withUnsafeBytes(of: &bits) { bytes.append(contentsOf: $0) }
    }

    mutating func string(_ key: FieldKey, _ value: String) {
        appendKey(key)
        var value = value
        value.withUTF8 { utf8 in
            varint(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    /// A string or bytes field from bytes already in UTF-8 (a message's, a `String`'s).
    mutating func bytes(_ key: FieldKey, _ value: some Collection<UInt8>) {
        appendKey(key)
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }
}
