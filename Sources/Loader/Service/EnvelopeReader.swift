import Foundation
import Shared

/// Reads record envelopes on the loader's hot path. The envelope is a fixed, flat shape — string
/// members plus one object of strings — so a byte scanner reads it several times faster than
/// `JSONSerialization` (which a profile showed at a quarter of the loader's CPU). Anything outside
/// that shape (other value types, invalid UTF-8, lone surrogates, a hash mismatch, a missing member)
/// goes to `RecordEnvelope.decode`, so errors and edge cases behave exactly as the shared decoder says.
enum EnvelopeReader {
    static func decode(_ data: Data) throws -> RecordEnvelope {
        if let envelope = data.withUnsafeBytes({ read($0.bindMemory(to: UInt8.self)) }) { return envelope }
        return try RecordEnvelope.decode(data)
    }

    private static func read(_ bytes: UnsafeBufferPointer<UInt8>) -> RecordEnvelope? {
        var scanner = Scanner(bytes: bytes)
        var members: [String: String] = [:]
        var fields: [RecordField] = []
        var sawFields = false
        guard scanner.consume(UInt8(ascii: "{")) else { return nil }
        if !scanner.consume(UInt8(ascii: "}")) {
            repeat {
                guard let name = scanner.string(), scanner.consume(UInt8(ascii: ":")) else { return nil }
                if name == "fields" {
                    guard !sawFields, scanner.consume(UInt8(ascii: "{")) else { return nil }
                    sawFields = true
                    if !scanner.consume(UInt8(ascii: "}")) {
                        repeat {
                            guard let field = scanner.string(), scanner.consume(UInt8(ascii: ":")), let value = scanner.string() else { return nil }
                            fields.append(RecordField(name: field, value: value))
                        } while scanner.consume(UInt8(ascii: ","))
                        guard scanner.consume(UInt8(ascii: "}")) else { return nil }
                    }
                } else {
                    guard let value = scanner.string(), members.updateValue(value, forKey: name) == nil else { return nil }
                }
            } while scanner.consume(UInt8(ascii: ","))
            guard scanner.consume(UInt8(ascii: "}")) else { return nil }
        }
        guard scanner.atEnd, sawFields, let company = members["company"], let entity = members["entity"],
              let object = members["object"], let recordNo = members["recordno"], let whenModified = members["whenmodified"],
              let extractedAt = members["extracted_at"], let declared = members["content_sha256"] else { return nil }
        // Same order as the shared decoder (by name), and no two fields of one name.
        fields.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        for index in fields.indices.dropFirst() where fields[index].name == fields[index - 1].name { return nil }
        let envelope = RecordEnvelope(key: RecordKey(company: company, entity: entity, object: object, recordNo: recordNo),
                                      whenModified: whenModified, extractedAt: extractedAt, fields: fields)
        return envelope.contentSHA256 == declared ? envelope : nil
    }

    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0

        var atEnd: Bool {
            mutating get {
                skipSpace()
                return position == bytes.count
            }
        }

        mutating func skipSpace() {
            while position < bytes.count, bytes[position] == 32 || bytes[position] == 10 || bytes[position] == 13 || bytes[position] == 9 {
                position += 1
            }
        }

        mutating func consume(_ byte: UInt8) -> Bool {
            skipSpace()
            guard position < bytes.count, bytes[position] == byte else { return false }
            position += 1
            return true
        }

        /// A JSON string, unescaped; `nil` for anything else or anything unusual.
        mutating func string() -> String? {
            guard consume(UInt8(ascii: "\"")) else { return nil }
            let start = position
            while position < bytes.count {
                let byte = bytes[position]
                if byte == UInt8(ascii: "\"") {
                    defer { position += 1 }
                    return String(validating: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
                }
                if byte == UInt8(ascii: "\\") { return escapedString(from: start) }
                if byte < 0x20 { return nil }
                position += 1
            }
            return nil
        }

        private mutating func escapedString(from start: Int) -> String? {
            var out = Array(bytes[start..<position])
            while position < bytes.count {
                let byte = bytes[position]
                position += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return String(validating: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard position < bytes.count else { return nil }
                    let escape = bytes[position]
                    position += 1
                    switch escape {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                    case UInt8(ascii: "n"): out.append(10)
                    case UInt8(ascii: "r"): out.append(13)
                    case UInt8(ascii: "t"): out.append(9)
                    case UInt8(ascii: "b"): out.append(8)
                    case UInt8(ascii: "f"): out.append(12)
                    case UInt8(ascii: "u"):
                        guard let unit = hex4() else { return nil }
                        var scalarValue = UInt32(unit)
                        if (0xD800...0xDBFF).contains(unit) {
                            guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else { return nil }
                            position += 2
                            guard let low = hex4(), (0xDC00...0xDFFF).contains(low) else { return nil }
                            scalarValue = 0x10000 + (UInt32(unit - 0xD800) << 10) + UInt32(low - 0xDC00)
                        }
                        guard let scalar = Unicode.Scalar(scalarValue) else { return nil }
                        out.append(contentsOf: Array(String(Character(scalar)).utf8))
                    default: return nil
                    }
                default:
                    if byte < 0x20 { return nil }
                    out.append(byte)
                }
            }
            return nil
        }

        private mutating func hex4() -> UInt16? {
            guard position + 4 <= bytes.count else { return nil }
            var value: UInt16 = 0
            for _ in 0..<4 {
                let byte = bytes[position]
                position += 1
                let digit: UInt8
                switch byte {
                case 48...57: digit = byte - 48
                case 65...70: digit = byte - 55
                case 97...102: digit = byte - 87
                default: return nil
                }
                value = value << 4 | UInt16(digit)
            }
            return value
        }
    }
}
