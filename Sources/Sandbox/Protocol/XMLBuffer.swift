/// Response bytes built by appending, never through a DOM: a 1000-row page is ~20,000 elements and the
/// poller's benchmark needs the sandbox well above 20,000 rows a second.
struct XMLBuffer {
    var bytes: [UInt8] = []

    init(capacity: Int = 4096) { bytes.reserveCapacity(capacity) }

    mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }

    /// Escapes the five XML specials. Input never holds C0 characters (the generator does not produce
    /// them); the control-character fault adds them deliberately via `rawBytes`. Runs without specials
    /// (nearly every value) are copied in one go.
    mutating func text(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            var runStart = 0
            for index in utf8.indices {
                let entity: StaticString
                switch utf8[index] {
                case UInt8(ascii: "&"): entity = "&amp;"
                case UInt8(ascii: "<"): entity = "&lt;"
                case UInt8(ascii: ">"): entity = "&gt;"
                case UInt8(ascii: "\""): entity = "&quot;"
                case UInt8(ascii: "'"): entity = "&apos;"
                default: continue
                }
                if runStart < index { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index])) }
                entity.withUTF8Buffer { bytes.append(contentsOf: $0) }
                runStart = index + 1
            }
            if runStart < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...])) }
        }
    }

    /// `<name>value</name>`; an empty value is an empty element, as Intacct sends nulls.
    mutating func element(_ name: String, _ value: String) {
        bytes.append(UInt8(ascii: "<")); raw(name); bytes.append(UInt8(ascii: ">"))
        text(value)
        bytes.append(contentsOf: "</".utf8); raw(name); bytes.append(UInt8(ascii: ">"))
    }

    mutating func open(_ name: String) { bytes.append(UInt8(ascii: "<")); raw(name); bytes.append(UInt8(ascii: ">")) }
    mutating func close(_ name: String) { bytes.append(contentsOf: "</".utf8); raw(name); bytes.append(UInt8(ascii: ">")) }

    /// An attribute value, escaped.
    mutating func attribute(_ name: String, _ value: String) {
        bytes.append(UInt8(ascii: " ")); raw(name); bytes.append(contentsOf: "=\"".utf8); text(value); bytes.append(UInt8(ascii: "\""))
    }
}
