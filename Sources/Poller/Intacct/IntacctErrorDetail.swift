import Foundation

/// One `<error>` of an Intacct `<errormessage>` block. Any part may be empty: gateway errors often carry
/// only `errorno` and `description`, and `errorno` is not always a code ("Query Failed" appears too).
public struct IntacctErrorDetail: Sendable, Equatable, CustomStringConvertible {
    public var errorNumber: String
    public var description1: String
    /// With a trailing `[Support ID: …]` URL-decoded, as Intacct support asks for it that way.
    public var description2: String
    public var correction: String

    public init(errorNumber: String, description1: String = "", description2: String = "", correction: String = "") {
        self.errorNumber = errorNumber
        self.description1 = description1
        self.description2 = Self.decodingSupportID(description2)
        self.correction = correction
    }

    /// `errorno: description — description2 (correction)`, skipping empty parts.
    public var description: String {
        var parts = [errorNumber.isEmpty ? "error" : errorNumber]
        let text = [description1, description2].filter { !$0.isEmpty }.joined(separator: " — ")
        if !text.isEmpty { parts.append(text) }
        var line = parts.joined(separator: ": ")
        if !correction.isEmpty { line += " (\(correction))" }
        return line
    }

    /// Intacct URL-encodes the support id (`abc%7Exyz`); the rest of the text is left as sent.
    static func decodingSupportID(_ text: String) -> String {
        guard let open = text.range(of: "[Support ID: ", options: .backwards),
              let close = text.range(of: "]", range: open.upperBound..<text.endIndex) else { return text }
        let encoded = String(text[open.upperBound..<close.lowerBound])
        guard let decoded = encoded.removingPercentEncoding, decoded != encoded else { return text }
        return text.replacingCharacters(in: open.upperBound..<close.lowerBound, with: decoded)
    }
}
