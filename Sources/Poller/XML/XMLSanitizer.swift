import Foundation

/// Removes what XML 1.0 forbids from a response before libxml2 sees it: raw C0 control bytes other than
/// TAB/LF/CR, and character references to any code point outside XML's `Char` production (`&#x1;`,
/// `&#0;`, `&#xFFFE;`…). libxml2 rejects a whole document for one such character, and Intacct has been
/// seen to pass them through from user-entered text, so one bad vendor name would otherwise fail a page.
///
/// Works incrementally (a reference may be split across chunks) so the streaming path and the in-memory
/// path share one implementation; `removed` counts what was dropped, for logs and metrics.
public struct XMLSanitizer: Sendable {
    /// Characters (raw bytes or references) removed so far.
    public private(set) var removed = 0
    /// Bytes of a possible character reference (`&#…`) not yet decided.
    private var pending: [UInt8] = []

    /// The longest legal reference is `&#x10FFFF;` (10 bytes); allow leading zeros up to this bound.
    private static let maxReferenceLength = 16

    public init() {}

    /// Sanitises a complete document. Returns the input unchanged (no copy) when it is clean.
    public static func sanitize(_ data: Data) -> (data: Data, removed: Int) {
        if data.withUnsafeBytes({ isClean(UnsafeRawBufferPointer($0)) }) { return (data, 0) }
        var sanitizer = XMLSanitizer()
        var out = [UInt8]()
        out.reserveCapacity(data.count)
        data.withUnsafeBytes { sanitizer.process(UnsafeRawBufferPointer($0), into: &out) }
        sanitizer.finish(into: &out)
        return (Data(out), sanitizer.removed)
    }

    /// Appends the sanitised form of `input` to `output`, holding back an undecided reference tail.
    public mutating func process(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        if pending.isEmpty, input.last != 0x26, Self.isClean(input) {
            output.append(contentsOf: input)
            return
        }
        for byte in input { consume(byte, into: &output) }
    }

    /// No forbidden byte and no character reference at all: the common case, copied as is.
    /// Eight bytes at a time: a word with no byte below 0x20 and no '&' needs no closer look.
    private static func isClean(_ raw: UnsafeRawBufferPointer) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let count = raw.count
        var index = 0
        var previous: UInt8 = 0
        while index + 8 <= count {
            let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            let below20 = (word &- ones &* 0x20) & ~word & highs
            let ampersand = word ^ (ones &* 0x26)
            let hasAmpersand = (ampersand &- ones) & ~ampersand & highs
            // A '&' that ended the previous word may start a reference with this word's first byte.
            if below20 == 0 && hasAmpersand == 0 && !(previous == 0x26 && raw[index] == 0x23) {
                previous = raw[index + 7]
                index += 8
                continue
            }
            for offset in index..<index + 8 {
                let byte = raw[offset]
                if byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D { return false }
                if byte == 0x23 && previous == 0x26 { return false }
                previous = byte
            }
            index += 8
        }
        while index < count {
            let byte = raw[index]
            if byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D { return false }
            if byte == 0x23 && previous == 0x26 { return false }
            previous = byte
            index += 1
        }
        return true
    }

    /// Flushes a trailing undecided tail (a document cut inside `&#…` is malformed anyway; the parser says so).
    public mutating func finish(into output: inout [UInt8]) {
        output.append(contentsOf: pending)
        pending.removeAll()
    }

    private mutating func consume(_ byte: UInt8, into output: inout [UInt8]) {
        if !pending.isEmpty {
            pending.append(byte)
            switch referenceState() {
            case .undecided: return
            case .notAReference:
                let rest = pending.dropFirst()
                pending.removeAll(keepingCapacity: true)
                output.append(0x26)
                for held in rest { consume(held, into: &output) }
            case .reference(let scalar):
                if Self.isAllowed(scalar) { output.append(contentsOf: pending) } else { removed += 1 }
                pending.removeAll(keepingCapacity: true)
            }
            return
        }
        if byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D {
            removed += 1
        } else if byte == 0x26 {
            pending.append(byte)
        } else {
            output.append(byte)
        }
    }

    private enum ReferenceState { case undecided, notAReference, reference(UInt32) }

    /// Classifies `pending`, which starts with '&'.
    private func referenceState() -> ReferenceState {
        let count = pending.count
        if count < 2 { return .undecided }
        guard pending[1] == 0x23 else { return .notAReference }          // '#'
        if count == 2 { return .undecided }
        let hex = pending[2] == 0x78                                      // 'x'
        let digitsStart = hex ? 3 : 2
        if count == digitsStart { return .undecided }
        if count > Self.maxReferenceLength { return .notAReference }
        var value: UInt32 = 0
        for index in digitsStart..<count {
            let byte = pending[index]
            if byte == 0x3B {                                             // ';'
                return index == digitsStart ? .notAReference : .reference(value)
            }
            guard let digit = Self.digit(byte, hex: hex) else { return .notAReference }
            value = min(value &* (hex ? 16 : 10) &+ digit, 0x7FFF_FFFF)
        }
        return .undecided
    }

    private static func digit(_ byte: UInt8, hex: Bool) -> UInt32? {
        switch byte {
        case 0x30...0x39: UInt32(byte - 0x30)
        case 0x61...0x66 where hex: UInt32(byte - 0x61 + 10)
        case 0x41...0x46 where hex: UInt32(byte - 0x41 + 10)
        default: nil
        }
    }

    private static func isAllowed(_ value: UInt32) -> Bool {
        switch value {
        case 0x09, 0x0A, 0x0D: true
        case 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }
}
