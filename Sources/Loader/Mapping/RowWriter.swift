import Foundation
import RecordContract

/// Writes the JSON object of one insertAll row. The same output as `JSONWriter` (its escaping routine),
/// shaped for the loader's hottest loop: a column's `"name":` is escaped once per mapping (`ColumnKey`)
/// instead of once per row.
struct RowWriter {
    private(set) var bytes: [UInt8] = []
    private var needsComma = false

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    var data: Data { Data(bytes) }

    /// A member name, pre-rendered as `"name":`.
    struct ColumnKey: Sendable, Equatable {
        let bytes: [UInt8]

        init(_ name: String) {
            var writer = RowWriter(capacity: name.utf8.count + 3)
            writer.appendString(name)
            writer.bytes.append(UInt8(ascii: ":"))
            bytes = writer.bytes
        }
    }

    mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    mutating func key(_ key: ColumnKey) {
        separate()
        bytes.append(contentsOf: key.bytes)
        needsComma = false
    }

    mutating func key(_ name: String) {
        separate()
        appendString(name)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    mutating func member(_ key: ColumnKey, _ value: String) {
        self.key(key)
        string(value)
    }

    mutating func string(_ value: String) {
        separate()
        appendString(value)
        needsComma = true
    }

    /// Pre-rendered JSON (a number, `true`, `null`), verbatim.
    mutating func raw(_ literal: String) {
        separate()
        bytes.append(contentsOf: literal.utf8)
        needsComma = true
    }

    mutating func null() { raw("null") }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    private mutating func appendString(_ value: String) { JSONWriter.appendQuoted(value, to: &bytes) }
}
