import Cryptography
import Foundation

/// Reads record envelopes: what `RecordEnvelope.decode` runs, once per message on the loader's hot path.
///
/// A complete, hand-written reader for the envelope's JSON shape: string members, one object of string
/// fields, and any other members (whatever their JSON value) ignored, so a poller that adds a member
/// does not dead-letter every record. `JSONSerialization` builds a dictionary of `NSString`s per
/// record and cost a quarter of the loader's CPU; this reads the bytes once.
///
/// Everything JSON allows is read (every escape, surrogate pairs, all of UTF-8, whitespace anywhere);
/// everything else is rejected with a `RecordEnvelopeError` saying what and at which byte: invalid
/// UTF-8, a lone surrogate, a control character inside a string, a bad number, trailing data, a
/// duplicated member or field (an envelope is hashed, so an ambiguous one is refused), a missing member,
/// a field that is not a string, and a `content_sha256` that does not match the fields.
enum EnvelopeReader {
    /// Unknown members may nest arrays and objects this deep; deeper is refused rather than recursed into.
    static let maximumDepth = 64

    /// The envelope `data` holds, its fields sorted by name and its content hash checked.
    static func read(_ data: Data) throws -> RecordEnvelope {
        var order: CanonicalFieldOrder?
        return try read(data, order: &order)
    }

    /// The same, sorting the fields by `order` when they come in the order it was made for, and leaving
    /// in `order` the one this envelope's fields came in: a producer writes every record of an object
    /// with the same field list, so a run of messages is sorted once, not once per message.
    static func read(_ data: Data, order: inout CanonicalFieldOrder?) throws -> RecordEnvelope {
        try data.withUnsafeBytes { bytes in
            var reader = Reader(bytes: bytes.bindMemory(to: UInt8.self), order: order)
            defer { order = reader.order }
            let envelope = try reader.envelope()
            // The fields are sorted already: hashed in place, with no order to work out.
            let computed = RecordEnvelope.contentHash(of: envelope.fields, inOrder: envelope.fields.indices)
            guard computed == envelope.contentSHA256 else {
                throw RecordEnvelopeError.hashMismatch(declared: envelope.contentSHA256, computed: computed)
            }
            return envelope
        }
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0
        /// The order of the last field list sorted; only ever one with no name twice.
        var order: CanonicalFieldOrder?

        init(bytes: UnsafeBufferPointer<UInt8>, order: CanonicalFieldOrder?) {
            self.bytes = bytes
            self.order = order
        }

        // MARK: The envelope

        /// The members, every required one present; the hash is the caller's to check.
        mutating func envelope() throws -> RecordEnvelope {
            skipSpace()
            guard position < bytes.count else { throw RecordEnvelopeError.notJSON("empty value") }
            guard bytes[position] == UInt8(ascii: "{") else { throw problem("top level is not an object") }
            position += 1
            var company, entity, object, recordNo, whenModified, extractedAt, declared: String?
            var fields: [RecordField]?
            skipSpace()
            if !take(UInt8(ascii: "}")) {
                repeat {
                    skipSpace()
                    let memberAt = position
                    let name = try string(what: "a member name")
                    try expect(UInt8(ascii: ":"), "':' after a member name")
                    skipSpace()
                    func member(_ current: String?) throws -> String {
                        guard current == nil else { throw problem("member \"\(name)\" appears twice", at: memberAt) }
                        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                            throw RecordEnvelopeError.missingMember(name)
                        }
                        return try string(what: "a string")
                    }
                    switch name {
                    case "company": company = try member(company)
                    case "entity": entity = try member(entity)
                    case "object": object = try member(object)
                    case "recordno": recordNo = try member(recordNo)
                    case "whenmodified": whenModified = try member(whenModified)
                    case "extracted_at": extractedAt = try member(extractedAt)
                    case "content_sha256": declared = try member(declared)
                    case "fields":
                        guard fields == nil else { throw problem("member \"fields\" appears twice", at: memberAt) }
                        guard position < bytes.count, bytes[position] == UInt8(ascii: "{") else {
                            throw RecordEnvelopeError.missingMember("fields")
                        }
                        fields = try fieldObject()
                    default:
                        try skipValue(depth: 1)
                    }
                    skipSpace()
                } while take(UInt8(ascii: ","))
                try expect(UInt8(ascii: "}"), "',' or '}' after a member")
            }
            skipSpace()
            guard position == bytes.count else { throw problem("data after the envelope") }

            guard let fields else { throw RecordEnvelopeError.missingMember("fields") }
            func required(_ value: String?, _ name: String) throws -> String {
                guard let value else { throw RecordEnvelopeError.missingMember(name) }
                return value
            }
            return RecordEnvelope(
                company: try required(company, "company"), entity: try required(entity, "entity"),
                object: try required(object, "object"), recordNo: try required(recordNo, "recordno"),
                whenModified: try required(whenModified, "whenmodified"), extractedAt: try required(extractedAt, "extracted_at"),
                contentSHA256: try required(declared, "content_sha256"), fields: fields)
        }

        /// `{"NAME":"value",...}`, sorted by name (JSON objects carry no order; the content hash sorts the
        /// same way, so the sorted fields are hashed as they are), each name once.
        mutating func fieldObject() throws -> [RecordField] {
            position += 1  // the "{"
            var fields: [RecordField] = []
            fields.reserveCapacity(48)
            skipSpace()
            if !take(UInt8(ascii: "}")) {
                repeat {
                    skipSpace()
                    let name = try string(what: "a field name")
                    try expect(UInt8(ascii: ":"), "':' after a field name")
                    skipSpace()
                    guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                        throw RecordEnvelopeError.fieldNotString(name)
                    }
                    let value = try string(what: "a string")
                    fields.append(RecordField(name: name, value: value))
                    skipSpace()
                } while take(UInt8(ascii: ","))
                try expect(UInt8(ascii: "}"), "',' or '}' after a field")
            }
            // String order, as the content hash uses. A sort compares names n·log n times; a field list
            // seen before (the same names, in the same order) is put in order by the positions worked
            // out for it, at one equality check per name.
            if let order, order.fits(fields) { return order.positions.map { fields[$0] } }
            let fresh = CanonicalFieldOrder(fields: fields)
            let sorted = fresh.positions.map { fields[$0] }
            for index in sorted.indices.dropFirst() where sorted[index].name == sorted[index - 1].name {
                throw RecordEnvelopeError.notJSON("field \"\(sorted[index].name)\" appears twice")
            }
            // Kept only now: an order is reused without the duplicate check, so it must come from a list without one.
            order = fresh
            return sorted
        }

        // MARK: JSON values

        /// Reads (and validates) a value nobody needs: an unknown member's.
        mutating func skipValue(depth: Int) throws {
            guard depth <= EnvelopeReader.maximumDepth else { throw problem("values nested deeper than \(EnvelopeReader.maximumDepth)") }
            skipSpace()
            guard position < bytes.count else { throw problem("a value expected") }
            switch bytes[position] {
            case UInt8(ascii: "\""):
                _ = try string(what: "a string")
            case UInt8(ascii: "{"):
                position += 1
                skipSpace()
                if take(UInt8(ascii: "}")) { return }
                repeat {
                    skipSpace()
                    _ = try string(what: "a member name")
                    try expect(UInt8(ascii: ":"), "':' after a member name")
                    try skipValue(depth: depth + 1)
                    skipSpace()
                } while take(UInt8(ascii: ","))
                try expect(UInt8(ascii: "}"), "',' or '}' in an object")
            case UInt8(ascii: "["):
                position += 1
                skipSpace()
                if take(UInt8(ascii: "]")) { return }
                repeat {
                    try skipValue(depth: depth + 1)
                    skipSpace()
                } while take(UInt8(ascii: ","))
                try expect(UInt8(ascii: "]"), "',' or ']' in an array")
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
            default: throw problem("a value expected")
            }
        }

        mutating func literal(_ word: StaticString) throws {
            let count = word.utf8CodeUnitCount
            guard position + count <= bytes.count,
                  memcmp(bytes.baseAddress! + position, word.utf8Start, count) == 0 else { throw problem("a value expected") }
            position += count
        }

        /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
        mutating func number() throws {
            let start = position
            _ = take(UInt8(ascii: "-"))
            guard position < bytes.count, isDigit(bytes[position]) else { throw problem("a digit expected in a number", at: start) }
            if bytes[position] == UInt8(ascii: "0") { position += 1 } else { skipDigits() }
            if take(UInt8(ascii: ".")) {
                guard position < bytes.count, isDigit(bytes[position]) else { throw problem("a digit expected after '.'") }
                skipDigits()
            }
            if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
                position += 1
                if !take(UInt8(ascii: "+")) { _ = take(UInt8(ascii: "-")) }
                guard position < bytes.count, isDigit(bytes[position]) else { throw problem("a digit expected in an exponent") }
                skipDigits()
            }
        }

        private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

        private mutating func skipDigits() {
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }

        // MARK: Strings

        /// A JSON string starting at `position` (which must be its opening quote), unescaped and checked
        /// to be UTF-8.
        mutating func string(what: String) throws -> String {
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw problem("\(what) expected") }
            position += 1
            let start = position
            var ascii = true
            while position < bytes.count {
                let byte = bytes[position]
                if byte == UInt8(ascii: "\"") {
                    let text = UnsafeBufferPointer(rebasing: bytes[start..<position])
                    position += 1
                    if !ascii, let bad = Self.firstInvalidUTF8(in: text) { throw invalidUTF8(at: bad, in: text, from: start) }
                    return String(decoding: text, as: UTF8.self)
                }
                if byte == UInt8(ascii: "\\") { return try escapedString(from: start) }
                if byte < 0x20 { throw problem("control character \(hex(byte)) inside a string (it must be escaped)") }
                if byte >= 0x80 { ascii = false }
                position += 1
            }
            throw problem("unterminated string", at: start - 1)
        }

        /// The rest of a string that has escapes: the bytes so far, then the rest unescaped.
        private mutating func escapedString(from start: Int) throws -> String {
            var out: [UInt8] = []
            out.reserveCapacity(position - start + 32)
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<position]))
            while position < bytes.count {
                let byte = bytes[position]
                switch byte {
                case UInt8(ascii: "\""):
                    position += 1
                    return try out.withUnsafeBufferPointer { text in
                        if let bad = Self.firstInvalidUTF8(in: text) { throw invalidUTF8(at: bad, in: text, from: start) }
                        return String(decoding: text, as: UTF8.self)
                    }
                case UInt8(ascii: "\\"):
                    let escapeAt = position
                    position += 1
                    guard position < bytes.count else { throw problem("unterminated string", at: start - 1) }
                    let escape = bytes[position]
                    position += 1
                    switch escape {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "u"):
                        let unit = try hex4()
                        var scalar = UInt32(unit)
                        if (0xD800...0xDBFF).contains(unit) {
                            guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                                throw problem("lone UTF-16 surrogate \\u\(String(unit, radix: 16)) (a high surrogate must be followed by a low one)", at: escapeAt)
                            }
                            position += 2
                            let low = try hex4()
                            guard (0xDC00...0xDFFF).contains(low) else {
                                throw problem("lone UTF-16 surrogate \\u\(String(unit, radix: 16)) (followed by \\u\(String(low, radix: 16)))", at: escapeAt)
                            }
                            scalar = 0x10000 + (UInt32(unit - 0xD800) << 10) + UInt32(low - 0xDC00)
                        } else if (0xDC00...0xDFFF).contains(unit) {
                            throw problem("lone UTF-16 surrogate \\u\(String(unit, radix: 16)) (a low surrogate without a high one)", at: escapeAt)
                        }
                        Self.appendUTF8(scalar, to: &out)
                    default:
                        let shown = escape >= 0x20 && escape < 0x7F ? "\\" + String(Character(Unicode.Scalar(escape))) : "\\ followed by " + hex(escape)
                        throw problem("invalid escape \(shown)", at: escapeAt)
                    }
                default:
                    if byte < 0x20 { throw problem("control character \(hex(byte)) inside a string (it must be escaped)") }
                    out.append(byte)
                    position += 1
                }
            }
            throw problem("unterminated string", at: start - 1)
        }

        private mutating func hex4() throws -> UInt16 {
            guard position + 4 <= bytes.count else { throw problem("\\u needs four hex digits") }
            var value: UInt16 = 0
            for _ in 0..<4 {
                let byte = bytes[position]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                default: throw problem("\\u needs four hex digits")
                }
                value = value << 4 | UInt16(digit)
                position += 1
            }
            return value
        }

        /// A scalar (never a surrogate: those were combined or refused) as UTF-8.
        private static func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
            switch scalar {
            case 0..<0x80:
                out.append(UInt8(scalar))
            case 0x80..<0x800:
                out.append(UInt8(0xC0 | scalar >> 6))
                out.append(UInt8(0x80 | scalar & 0x3F))
            case 0x800..<0x10000:
                out.append(UInt8(0xE0 | scalar >> 12))
                out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
                out.append(UInt8(0x80 | scalar & 0x3F))
            default:
                out.append(UInt8(0xF0 | scalar >> 18))
                out.append(UInt8(0x80 | scalar >> 12 & 0x3F))
                out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
                out.append(UInt8(0x80 | scalar & 0x3F))
            }
        }

        // MARK: Errors

        /// Where `text` stops being well-formed UTF-8 (Unicode 15, table 3-7: no overlong forms, no
        /// surrogates, nothing past U+10FFFF), or nil. Checked by hand: `String(validating:)` is generic
        /// and its metadata look-ups cost more than the check itself on this path.
        static func firstInvalidUTF8(in text: UnsafeBufferPointer<UInt8>) -> Int? {
            var index = 0
            let count = text.count
            while index < count {
                let lead = text[index]
                if lead < 0x80 {
                    index += 1
                    continue
                }
                let length: Int
                var low: UInt8 = 0x80, high: UInt8 = 0xBF  // the range of the second byte
                switch lead {
                case 0xC2...0xDF: length = 2
                case 0xE0: length = 3; low = 0xA0
                case 0xE1...0xEC, 0xEE...0xEF: length = 3
                case 0xED: length = 3; high = 0x9F
                case 0xF0: length = 4; low = 0x90
                case 0xF1...0xF3: length = 4
                case 0xF4: length = 4; high = 0x8F
                default: return index
                }
                guard index + length <= count, (low...high).contains(text[index + 1]) else { return index }
                for next in 2..<length where !(0x80...0xBF).contains(text[index + next]) { return index }
                index += length
            }
            return nil
        }

        private func invalidUTF8(at bad: Int, in text: UnsafeBufferPointer<UInt8>, from start: Int) -> RecordEnvelopeError {
            .notJSON("invalid UTF-8 (\(hex(text[bad]))) in the string starting at byte \(start - 1)")
        }

        private func problem(_ what: String, at offset: Int? = nil) -> RecordEnvelopeError {
            let at = offset ?? position
            let found = at < bytes.count ? "found \(Self.printable(bytes[at]))" : "found the end"
            return .notJSON("\(what) at byte \(at) (\(found))")
        }

        private func hex(_ byte: UInt8) -> String { "0x" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16, uppercase: true) }

        private static func printable(_ byte: UInt8) -> String {
            byte >= 0x20 && byte < 0x7F ? "'\(Character(Unicode.Scalar(byte)))'" : "0x" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16, uppercase: true)
        }

        // MARK: Scanning

        private mutating func skipSpace() {
            while position < bytes.count {
                switch bytes[position] {
                case 0x20, 0x0A, 0x0D, 0x09: position += 1
                default: return
                }
            }
        }

        private mutating func take(_ byte: UInt8) -> Bool {
            guard position < bytes.count, bytes[position] == byte else { return false }
            position += 1
            return true
        }

        private mutating func expect(_ byte: UInt8, _ what: String) throws {
            skipSpace()
            guard take(byte) else { throw problem("\(what) expected") }
        }
    }
}
