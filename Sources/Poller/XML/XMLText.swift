/// Text rules for what this client writes into XML requests.
///
/// XML 1.0 only admits TAB, LF and CR below U+0020, and no reference can smuggle the others in
/// (`&#x1;` is just as illegal), so they are dropped before escaping. Intacct answers a request that
/// contains one with a control-level parse failure (XL03000003) instead of running anything.
public enum XMLText {
    /// `value` with XML-invalid characters removed and `& < > " '` entity-escaped, ready for element
    /// text or a double-quoted attribute.
    public static func escaped(_ value: String) -> String {
        var needsWork = false
        for unit in value.utf8 where unit < 0x20 || unit == 0x26 || unit == 0x3C || unit == 0x3E || unit == 0x22 || unit == 0x27 || unit == 0xEF {
            needsWork = true
            break
        }
        guard needsWork else { return value }
        var out = String.UnicodeScalarView()
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": out.append(contentsOf: "&amp;".unicodeScalars)
            case "<": out.append(contentsOf: "&lt;".unicodeScalars)
            case ">": out.append(contentsOf: "&gt;".unicodeScalars)
            case "\"": out.append(contentsOf: "&quot;".unicodeScalars)
            case "'": out.append(contentsOf: "&apos;".unicodeScalars)
            default:
                if isAllowed(scalar) { out.append(scalar) }
            }
        }
        return String(out)
    }

    /// `value` without the characters XML 1.0 cannot carry (C0 controls other than TAB/LF/CR, and the
    /// non-characters U+FFFE/U+FFFF, which a parser rejects the same way).
    public static func removingInvalidCharacters(_ value: String) -> String {
        guard value.unicodeScalars.contains(where: { !isAllowed($0) }) else { return value }
        var out = String.UnicodeScalarView()
        for scalar in value.unicodeScalars where isAllowed(scalar) { out.append(scalar) }
        return String(out)
    }

    /// Whether XML 1.0's `Char` production admits `scalar` (Swift scalars are never surrogates).
    public static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: true
        case 0..<0x20: false
        case 0xFFFE, 0xFFFF: false
        default: true
        }
    }
}
