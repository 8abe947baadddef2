/// Appends protobuf wire-format fields to a byte buffer: the few wire types a BigQuery row uses
/// (varint, 64-bit, length-delimited). Hand-written instead of a `SwiftProtobuf.Message` because the
/// row's message type exists only at run time (its descriptor is built from the table), and writing
/// the bytes directly skips building any intermediate value per row.
struct ProtoWireWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    /// The key of a field: number and wire type, pre-encoded once per column.
    struct FieldKey: Sendable, Equatable {
        let bytes: [UInt8]

        init(number: Int, wireType: WireType) {
            var writer = ProtoWireWriter(capacity: 5)
            writer.varint(UInt64(number) << 3 | UInt64(wireType.rawValue))
            bytes = writer.bytes
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
        bytes.append(contentsOf: key.bytes)
        varint(UInt64(bitPattern: value))
    }

    mutating func bool(_ key: FieldKey, _ value: Bool) {
        bytes.append(contentsOf: key.bytes)
        bytes.append(value ? 1 : 0)
    }

    mutating func double(_ key: FieldKey, _ value: Double) {
        bytes.append(contentsOf: key.bytes)
        var bits = value.bitPattern.littleEndian
        withUnsafeBytes(of: &bits) { bytes.append(contentsOf: $0) }
    }

    mutating func string(_ key: FieldKey, _ value: String) {
        bytes.append(contentsOf: key.bytes)
        var value = value
        value.withUTF8 { utf8 in
            varint(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    mutating func bytes(_ key: FieldKey, _ value: [UInt8]) {
        bytes.append(contentsOf: key.bytes)
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }
}
