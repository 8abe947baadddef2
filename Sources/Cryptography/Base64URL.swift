import Foundation

/// Base64url without padding (RFC 4648 §5), the encoding JWTs use for each of their three parts.
public enum Base64URL {
    public static func encode(_ data: Data) -> String {
        var text = data.base64EncodedString()
        text = text.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }

    public static func encode(_ text: String) -> String { encode(Data(text.utf8)) }

    /// Decodes with or without padding; `nil` for characters outside the url-safe alphabet.
    public static func decode(_ text: some StringProtocol) -> Data? {
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        guard !standard.contains("="), !standard.contains(where: { $0 == "\n" || $0 == " " }) else { return nil }
        let remainder = standard.count % 4
        if remainder == 1 { return nil }
        if remainder > 0 { standard += String(repeating: "=", count: 4 - remainder) }
        return Data(base64Encoded: standard)
    }
}
