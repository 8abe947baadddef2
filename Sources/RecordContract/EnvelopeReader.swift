import Cryptography
import Foundation

/// Reads record envelopes: what `RecordEnvelope.decode` and the loader's Storage Write path run, once per
/// message on the loader's hot path.
///
/// A complete, hand-written reader for the envelope's JSON shape: string members, one object of string
/// fields, and any other members (whatever their JSON value) ignored, so a poller that adds a member
/// does not dead-letter every record. It makes no `String` per field: every string it reads is a byte
/// range of the message (or, when it had escapes, of one buffer the unescaped bytes go to), the fields
/// are sorted and hashed as those bytes, and `RecordEnvelope.decode` builds its strings from them.
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
        var scanner = EnvelopeScanner()
        return try scanner.decode(data)
    }
}

/// Reads envelopes one after another, reusing its buffers and the field order of the envelope before:
/// a producer writes every record of an object with the same field list, so a run of messages is sorted
/// once, not once per message. One per thread of work (a routing lane); not shared.
public struct EnvelopeScanner {
    fileprivate var state = State()

    public init() {}

    /// Reads `data`, checks its content hash, and hands `body` the envelope as bytes (valid only inside
    /// `body`). Throws `RecordEnvelopeError` for anything `RecordEnvelope.decode` refuses, the same way.
    public mutating func read<Result>(_ data: Data, _ body: (EnvelopeBytes) throws -> Result) throws -> Result {
        try data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            var reader = EnvelopeReader.Reader(bytes: bytes)
            // The buffers move into the reader and back, so they are reused without a copy.
            swap(&reader.state, &state)
            defer { swap(&reader.state, &state) }
            let members = try reader.envelope()
            return try reader.state.unescaped.withUnsafeBufferPointer { unescaped in
                try reader.state.sorted.withUnsafeBufferPointer { fields in
                    let envelope = EnvelopeBytes(message: bytes, unescaped: unescaped, members: members, fields: fields,
                                                 layout: reader.state.layout!)
                    try Self.checkContentHash(of: envelope, using: &reader.state.canonical)
                    return try body(envelope)
                }
            }
        }
    }

    /// Checks the envelope's `content_sha256` against the hash of its canonical bytes, `name NUL value NUL`
    /// in name order (`RecordEnvelope.contentHash`'s), laid out in `buffer`: sized once for the whole
    /// envelope and filled by copying, as appending piece by piece cost a capacity check per piece.
    private static func checkContentHash(of envelope: EnvelopeBytes, using buffer: inout [UInt8]) throws {
        var total = 0
        for index in 0..<envelope.fieldCount { total += envelope.name(index).count + envelope.value(index).count + 2 }
        if buffer.count < max(total, 1) { buffer = [UInt8](repeating: 0, count: max(total, 2 * buffer.count)) }
        try buffer.withUnsafeMutableBytes { buffer in
            var at = 0
            func copy(_ bytes: UnsafeBufferPointer<UInt8>) {
                if !bytes.isEmpty { (buffer.baseAddress! + at).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
                buffer[at + bytes.count] = 0
                at += bytes.count + 1
            }
            for index in 0..<envelope.fieldCount {
                copy(envelope.name(index))
                copy(envelope.value(index))
            }
            try SHA256.withHex(of: UnsafeRawBufferPointer(rebasing: buffer[0..<total])) { computed in
                let declared = envelope.contentSHA256
                guard computed.count == declared.count, memcmp(computed.baseAddress!, declared.baseAddress!, computed.count) == 0 else {
                    throw RecordEnvelopeError.hashMismatch(declared: EnvelopeBytes.string(declared), computed: EnvelopeBytes.string(computed))
                }
            }
        }
    }

    /// `read` into a `RecordEnvelope`: its strings made from the bytes, its fields sorted by name.
    public mutating func decode(_ data: Data) throws -> RecordEnvelope {
        try read(data) { $0.envelope() }
    }

    /// The buffers a scanner reuses from one message to the next.
    fileprivate struct State {
        /// The fields as they came, then sorted by name.
        var fields: [EnvelopeBytes.Field] = []
        var sorted: [EnvelopeBytes.Field] = []
        /// The bytes of strings that had escapes, unescaped.
        var unescaped: [UInt8] = []
        /// The canonical bytes of the last envelope hashed, at the start (`contentHash`).
        var canonical: [UInt8] = []
        /// The order of the last field list sorted; only ever one with no name twice.
        var layout: FieldLayout?
    }
}

/// The names of an envelope's fields in the order they came and the positions that sort them: shared by
/// every envelope with that list, so a reference to it identifies the list (`EnvelopeBytes.layout`).
public final class FieldLayout: Sendable {
    /// The names, one after another; name `i` ends at `ends[i]`.
    let names: [UInt8]
    let ends: [Int]
    /// `positions[i]` is the arrival index of the i-th field in name order.
    public let positions: [Int]

    init(names: [UInt8], ends: [Int], positions: [Int]) {
        (self.names, self.ends, self.positions) = (names, ends, positions)
    }
}

/// One envelope as the bytes of the message it came in: what `EnvelopeScanner.read` hands its body, valid
/// only there. Members and fields are byte ranges; fields are sorted by name.
public struct EnvelopeBytes {
    /// A string's bytes: a range of the message, or of the unescaped buffer when it had escapes.
    struct Text {
        var start: Int
        var count: Int
        var unescaped: Bool
    }

    struct Field {
        var name: Text
        var value: Text
    }

    struct Members {
        var company, entity, object, recordNo, whenModified, extractedAt, contentSHA256: Text
    }

    let message: UnsafeBufferPointer<UInt8>
    let unescaped: UnsafeBufferPointer<UInt8>
    let members: Members
    let fields: UnsafeBufferPointer<Field>
    /// The field list's names and order: the same object for every envelope with the same list, so a
    /// consumer keeps what it works out per list (where each field goes) until this changes.
    public let layout: FieldLayout

    private func bytes(_ text: Text) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: (text.unescaped ? unescaped : message)[text.start..<(text.start + text.count)])
    }

    public var fieldCount: Int { fields.count }
    /// The name of the field at `index` in name order.
    public func name(_ index: Int) -> UnsafeBufferPointer<UInt8> { bytes(fields[index].name) }
    public func value(_ index: Int) -> UnsafeBufferPointer<UInt8> { bytes(fields[index].value) }

    public var company: UnsafeBufferPointer<UInt8> { bytes(members.company) }
    public var entity: UnsafeBufferPointer<UInt8> { bytes(members.entity) }
    public var object: UnsafeBufferPointer<UInt8> { bytes(members.object) }
    public var recordNo: UnsafeBufferPointer<UInt8> { bytes(members.recordNo) }
    public var whenModified: UnsafeBufferPointer<UInt8> { bytes(members.whenModified) }
    public var extractedAt: UnsafeBufferPointer<UInt8> { bytes(members.extractedAt) }
    public var contentSHA256: UnsafeBufferPointer<UInt8> { bytes(members.contentSHA256) }
    /// Where the message spells `contentSHA256`, as offsets from its first byte; nil when it was escaped
    /// (then only `contentSHA256` has it).
    public var contentSHA256Offsets: Range<Int>? {
        let text = members.contentSHA256
        return text.unescaped ? nil : text.start..<(text.start + text.count)
    }

    /// Bytes the reader checked to be UTF-8, as a `String`.
    public static func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }

    /// The envelope with a `String` per member and field.
    public func envelope() -> RecordEnvelope {
        RecordEnvelope(
            company: Self.string(company), entity: Self.string(entity), object: Self.string(object), recordNo: Self.string(recordNo),
            whenModified: Self.string(whenModified), extractedAt: Self.string(extractedAt), contentSHA256: Self.string(contentSHA256),
            fields: fields.indices.map { RecordField(name: Self.string(name($0)), value: Self.string(value($0))) })
    }
}

extension EnvelopeReader {
    fileprivate struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0
        var state = EnvelopeScanner.State()

        init(bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
        }

        /// Whether a string read is `literal`.
        private func equals(_ text: EnvelopeBytes.Text, _ literal: StaticString) -> Bool {
            guard text.count == literal.utf8CodeUnitCount else { return false }
            if text.unescaped {
                return state.unescaped.withUnsafeBufferPointer { memcmp($0.baseAddress! + text.start, literal.utf8Start, text.count) == 0 }
            }
            return memcmp(bytes.baseAddress! + text.start, literal.utf8Start, text.count) == 0
        }

        /// A string read, as a `String` (for error messages and names that are not ASCII).
        private func string(_ text: EnvelopeBytes.Text) -> String {
            if text.unescaped {
                return state.unescaped.withUnsafeBufferPointer {
                    String(decoding: UnsafeBufferPointer(rebasing: $0[text.start..<(text.start + text.count)]), as: UTF8.self)
                }
            }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[text.start..<(text.start + text.count)]), as: UTF8.self)
        }

        /// Runs `body` with the bytes of a string read.
        private func withBytes<Result>(_ text: EnvelopeBytes.Text, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
            if text.unescaped {
                return state.unescaped.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[text.start..<(text.start + text.count)])) }
            }
            return body(UnsafeBufferPointer(rebasing: bytes[text.start..<(text.start + text.count)]))
        }

        // MARK: The envelope

        /// The members, every required one present, the fields sorted in `state.sorted`; the hash is the
        /// caller's to check.
        mutating func envelope() throws -> EnvelopeBytes.Members {
            state.unescaped.removeAll(keepingCapacity: true)
            skipSpace()
            guard position < bytes.count else { throw RecordEnvelopeError.notJSON("empty value") }
            guard bytes[position] == UInt8(ascii: "{") else { throw problem("top level is not an object") }
            position += 1
            var company, entity, object, recordNo, whenModified, extractedAt, declared: EnvelopeBytes.Text?
            var sawFields = false
            skipSpace()
            if !take(UInt8(ascii: "}")) {
                repeat {
                    skipSpace()
                    let memberAt = position
                    let name = try string(what: "a member name")
                    try expect(UInt8(ascii: ":"), "':' after a member name")
                    skipSpace()
                    func member(_ current: EnvelopeBytes.Text?) throws -> EnvelopeBytes.Text {
                        guard current == nil else { throw problem("member \"\(string(name))\" appears twice", at: memberAt) }
                        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                            throw RecordEnvelopeError.missingMember(string(name))
                        }
                        return try string(what: "a string")
                    }
                    if equals(name, "company") {
                        company = try member(company)
                    } else if equals(name, "entity") {
                        entity = try member(entity)
                    } else if equals(name, "object") {
                        object = try member(object)
                    } else if equals(name, "recordno") {
                        recordNo = try member(recordNo)
                    } else if equals(name, "whenmodified") {
                        whenModified = try member(whenModified)
                    } else if equals(name, "extracted_at") {
                        extractedAt = try member(extractedAt)
                    } else if equals(name, "content_sha256") {
                        declared = try member(declared)
                    } else if equals(name, "fields") {
                        guard !sawFields else { throw problem("member \"fields\" appears twice", at: memberAt) }
                        guard position < bytes.count, bytes[position] == UInt8(ascii: "{") else {
                            throw RecordEnvelopeError.missingMember("fields")
                        }
                        try fieldObject()
                        sawFields = true
                    } else {
                        try skipValue(depth: 1)
                    }
                    skipSpace()
                } while take(UInt8(ascii: ","))
                try expect(UInt8(ascii: "}"), "',' or '}' after a member")
            }
            skipSpace()
            guard position == bytes.count else { throw problem("data after the envelope") }

            guard sawFields else { throw RecordEnvelopeError.missingMember("fields") }
            func required(_ value: EnvelopeBytes.Text?, _ name: String) throws -> EnvelopeBytes.Text {
                guard let value else { throw RecordEnvelopeError.missingMember(name) }
                return value
            }
            return EnvelopeBytes.Members(
                company: try required(company, "company"), entity: try required(entity, "entity"),
                object: try required(object, "object"), recordNo: try required(recordNo, "recordno"),
                whenModified: try required(whenModified, "whenmodified"), extractedAt: try required(extractedAt, "extracted_at"),
                contentSHA256: try required(declared, "content_sha256"))
        }

        /// `{"NAME":"value",...}` into `state.sorted`, sorted by name (JSON objects carry no order; the
        /// content hash sorts the same way, so the sorted fields are hashed as they are), each name once.
        mutating func fieldObject() throws {
            position += 1  // the "{"
            state.fields.removeAll(keepingCapacity: true)
            skipSpace()
            if !take(UInt8(ascii: "}")) {
                repeat {
                    skipSpace()
                    let name = try string(what: "a field name")
                    try expect(UInt8(ascii: ":"), "':' after a field name")
                    skipSpace()
                    guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                        throw RecordEnvelopeError.fieldNotString(string(name))
                    }
                    let value = try string(what: "a string")
                    state.fields.append(EnvelopeBytes.Field(name: name, value: value))
                    skipSpace()
                } while take(UInt8(ascii: ","))
                try expect(UInt8(ascii: "}"), "',' or '}' after a field")
            }
            // A field list seen before (the same names, in the same order) is put in order by the
            // positions worked out for it, at one comparison per name; a new one is sorted.
            let layout: FieldLayout
            if let known = state.layout, fits(known) { layout = known } else { layout = try sortedLayout() }
            state.layout = layout
            state.sorted.removeAll(keepingCapacity: true)
            for position in layout.positions { state.sorted.append(state.fields[position]) }
        }

        /// Whether the fields just read carry `layout`'s names, in its order.
        private func fits(_ layout: FieldLayout) -> Bool {
            guard layout.ends.count == state.fields.count else { return false }
            return layout.names.withUnsafeBufferPointer { names in
                var start = 0
                for index in state.fields.indices {
                    let end = layout.ends[index]
                    let same = withBytes(state.fields[index].name) { name in
                        name.count == end - start && (name.count == 0 || memcmp(name.baseAddress!, names.baseAddress! + start, name.count) == 0)
                    }
                    guard same else { return false }
                    start = end
                }
                return true
            }
        }

        /// The order of the fields just read, in `String` order, as the content hash uses. ASCII names (all
        /// Intacct sends) are compared as bytes, which is the same order; any other name is compared as a
        /// `String` (canonical equivalence decides what is the same name, and the order).
        private func sortedLayout() throws -> FieldLayout {
            var names: [UInt8] = []
            var ends: [Int] = []
            ends.reserveCapacity(state.fields.count)
            for field in state.fields {
                withBytes(field.name) { names.append(contentsOf: $0) }
                ends.append(names.count)
            }
            let positions: [Int]
            if names.allSatisfy({ $0 < 0x80 }) {
                positions = names.withUnsafeBufferPointer { all in
                    func name(_ index: Int) -> UnsafeBufferPointer<UInt8> {
                        UnsafeBufferPointer(rebasing: all[(index == 0 ? 0 : ends[index - 1])..<ends[index]])
                    }
                    let sorted = ends.indices.sorted { a, b in
                        let order = compare(name(a), name(b))
                        return order != 0 ? order < 0 : a < b
                    }
                    return sorted
                }
                for index in positions.indices.dropFirst() {
                    let (a, b) = (positions[index - 1], positions[index])
                    let same = names.withUnsafeBufferPointer { all in
                        compare(UnsafeBufferPointer(rebasing: all[(a == 0 ? 0 : ends[a - 1])..<ends[a]]),
                                UnsafeBufferPointer(rebasing: all[(b == 0 ? 0 : ends[b - 1])..<ends[b]])) == 0
                    }
                    if same { throw RecordEnvelopeError.notJSON("field \"\(string(state.fields[b].name))\" appears twice") }
                }
            } else {
                let strings = state.fields.map { string($0.name) }
                positions = CanonicalFieldOrder(names: strings).positions
                for index in positions.indices.dropFirst() where strings[positions[index]] == strings[positions[index - 1]] {
                    throw RecordEnvelopeError.notJSON("field \"\(strings[positions[index]])\" appears twice")
                }
            }
            // Kept only now: an order is reused without the duplicate check, so it must come from a list without one.
            return FieldLayout(names: names, ends: ends, positions: positions)
        }

        /// Byte order: negative, zero or positive as `a` sorts before, with or after `b`.
        private func compare(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
            let shared = min(a.count, b.count)
            if shared > 0 {
                let order = memcmp(a.baseAddress!, b.baseAddress!, shared)
                if order != 0 { return Int(order) }
            }
            return a.count - b.count
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

        /// A JSON string starting at `position` (which must be its opening quote), checked to be UTF-8:
        /// its bytes in the message, or unescaped into `state.unescaped` when it has escapes.
        mutating func string(what: String) throws -> EnvelopeBytes.Text {
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw problem("\(what) expected") }
            position += 1
            let start = position
            var ascii = true
            while position < bytes.count {
                position = Self.skipPlain(bytes, from: position)
                guard position < bytes.count else { break }
                let byte = bytes[position]
                if byte == UInt8(ascii: "\"") {
                    let text = UnsafeBufferPointer(rebasing: bytes[start..<position])
                    position += 1
                    if !ascii, let bad = Self.firstInvalidUTF8(in: text) { throw invalidUTF8(at: bad, in: text, from: start) }
                    return EnvelopeBytes.Text(start: start, count: text.count, unescaped: false)
                }
                if byte == UInt8(ascii: "\\") { return try escapedString(from: start) }
                if byte < 0x20 { throw problem("control character \(hex(byte)) inside a string (it must be escaped)") }
                if byte >= 0x80 { ascii = false }
                position += 1
            }
            throw problem("unterminated string", at: start - 1)
        }

        /// The first index from `start` on that is not plain (printable ASCII other than `"` and `\`),
        /// or one past the last plain run of whole words: eight bytes at a time, as most of a message is
        /// plain string bytes and testing them one by one was the reader's biggest cost. What is left
        /// (a shorter tail, a special byte) the caller reads byte by byte.
        private static func skipPlain(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
            var position = start
            guard let base = bytes.baseAddress else { return position }
            let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
            // Any byte zero in `word` (exact for the first one, which is all that matters here).
            func hasZero(_ word: UInt64) -> Bool { (word &- ones) & ~word & highs != 0 }
            while position + 8 <= bytes.count {
                let word = UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self)
                // A byte of 0x80 or more, below 0x20, a quote, or a backslash ends the run.
                if word & highs != 0 || (word &- 0x20 &* ones) & ~word & highs != 0
                    || hasZero(word ^ (0x22 &* ones)) || hasZero(word ^ (0x5C &* ones)) { break }
                position += 8
            }
            return position
        }

        /// The rest of a string that has escapes: the bytes so far, then the rest unescaped, appended to
        /// `state.unescaped`.
        private mutating func escapedString(from start: Int) throws -> EnvelopeBytes.Text {
            let outStart = state.unescaped.count
            state.unescaped.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<position]))
            while position < bytes.count {
                let byte = bytes[position]
                switch byte {
                case UInt8(ascii: "\""):
                    position += 1
                    let count = state.unescaped.count - outStart
                    try state.unescaped.withUnsafeBufferPointer { all in
                        let text = UnsafeBufferPointer(rebasing: all[outStart...])
                        if let bad = Self.firstInvalidUTF8(in: text) { throw invalidUTF8(at: bad, in: text, from: start) }
                    }
                    return EnvelopeBytes.Text(start: outStart, count: count, unescaped: true)
                case UInt8(ascii: "\\"):
                    let escapeAt = position
                    position += 1
                    guard position < bytes.count else { throw problem("unterminated string", at: start - 1) }
                    let escape = bytes[position]
                    position += 1
                    switch escape {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): state.unescaped.append(escape)
                    case UInt8(ascii: "n"): state.unescaped.append(0x0A)
                    case UInt8(ascii: "r"): state.unescaped.append(0x0D)
                    case UInt8(ascii: "t"): state.unescaped.append(0x09)
                    case UInt8(ascii: "b"): state.unescaped.append(0x08)
                    case UInt8(ascii: "f"): state.unescaped.append(0x0C)
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
                        Self.appendUTF8(scalar, to: &state.unescaped)
                    default:
                        let shown = escape >= 0x20 && escape < 0x7F ? "\\" + String(Character(Unicode.Scalar(escape))) : "\\ followed by " + hex(escape)
                        throw problem("invalid escape \(shown)", at: escapeAt)
                    }
                default:
                    if byte < 0x20 { throw problem("control character \(hex(byte)) inside a string (it must be escaped)") }
                    state.unescaped.append(byte)
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
