/// Response bytes built by appending, never through a DOM: a 1000-row page is ~20,000 elements and the
/// poller's benchmark needs the sandbox well above 20,000 rows a second.
struct XMLBuffer {
    var bytes: [UInt8] = []

    init(capacity: Int = 4096) { bytes.reserveCapacity(capacity) }

    mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }

    /// Escapes the five XML specials. Input never holds C0 characters (the generator does not produce
    /// them); the control-character fault adds them deliberately via `rawBytes`.
    mutating func text(_ value: String) {
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "&"): bytes.append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "<"): bytes.append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: ">"): bytes.append(contentsOf: "&gt;".utf8)
            case UInt8(ascii: "\""): bytes.append(contentsOf: "&quot;".utf8)
            case UInt8(ascii: "'"): bytes.append(contentsOf: "&apos;".utf8)
            default: bytes.append(byte)
            }
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
