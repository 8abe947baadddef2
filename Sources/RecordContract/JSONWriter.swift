import Foundation

/// A minimal streaming JSON writer for hot paths (envelopes, insertAll rows) where `JSONEncoder`'s
/// reflection costs more than the work itself. Callers keep the structure valid; this escapes strings.
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []
    private var needsComma = false

    public init(capacity: Int = 512) { bytes.reserveCapacity(capacity) }

    public var data: Data { Data(bytes) }

    public mutating func beginObject() { separate(); bytes.append(UInt8(ascii: "{")); needsComma = false }
    public mutating func endObject() { bytes.append(UInt8(ascii: "}")); needsComma = true }
    public mutating func beginArray() { separate(); bytes.append(UInt8(ascii: "[")); needsComma = false }
    public mutating func endArray() { bytes.append(UInt8(ascii: "]")); needsComma = true }

    /// Writes `"name":` — the next value call supplies the value.
    public mutating func key(_ name: String) {
        separate()
        appendString(name)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    public mutating func member(_ name: String, _ value: String) { key(name); string(value) }

    /// A member whose value may be missing: `null` then, so readers see every member of the shape.
    public mutating func nullableMember(_ name: String, _ value: String?) {
        key(name)
        if let value { string(value) } else { null() }
    }

    public mutating func nullableMember(_ name: String, _ value: Int?) {
        key(name)
        if let value { raw(String(value)) } else { null() }
    }

    public mutating func string(_ value: String) { separate(); appendString(value); needsComma = true }

    /// Writes pre-rendered JSON (a number, `true`, `null`) verbatim.
    public mutating func raw(_ literal: String) { separate(); bytes.append(contentsOf: literal.utf8); needsComma = true }

    public mutating func null() { raw("null") }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    private mutating func appendString(_ value: String) { Self.appendQuoted(value, to: &bytes) }

    /// Appends `value` as a JSON string literal, quotes and escapes included: the one escaping routine,
    /// shared with the loader's row writer. Copies runs of bytes that need no escape in one go: almost
    /// every value (Intacct strings, keys, hashes) is such a run, and appending byte by byte cost more
    /// than the rest of the envelope.
    public static func appendQuoted(_ value: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            var runStart = 0
            for index in utf8.indices {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if runStart < index { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index])) }
                appendEscape(byte, to: &bytes)
                runStart = index + 1
            }
            if runStart < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...])) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static func appendEscape(_ byte: UInt8, to bytes: inout [UInt8]) {
        switch byte {
        case UInt8(ascii: "\""): bytes.append(contentsOf: [92, 34])
        case UInt8(ascii: "\\"): bytes.append(contentsOf: [92, 92])
        case 0x0A: bytes.append(contentsOf: [92, 110])
        case 0x0D: bytes.append(contentsOf: [92, 114])
        case 0x09: bytes.append(contentsOf: [92, 116])
        default:
            let hex: StaticString = "0123456789abcdef"
            hex.withUTF8Buffer { digits in
                bytes.append(contentsOf: [92, 117, 48, 48, digits[Int(byte >> 4)], digits[Int(byte & 0xf)]])
            }
        }
    }
}
