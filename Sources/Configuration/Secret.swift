import Foundation

/// A credential in configuration. Written as a literal, `env:NAME` (read from the environment) or
/// `file:/path` (read from a mounted secret, trailing newline dropped). It prints as `<redacted>`, so it
/// cannot leak through logs, errors or `dump`.
public struct Secret: Decodable, Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public let value: String

    public init(_ value: String) { self.value = value }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        let environment = decoder.userInfo[.environment] as? [String: String] ?? ProcessInfo.processInfo.environment
        value = try Self.resolve(raw, environment: environment, codingPath: decoder.codingPath)
    }

    static func resolve(_ raw: String, environment: [String: String], codingPath: [any CodingKey]) throws -> String {
        if raw.hasPrefix("env:") {
            let name = String(raw.dropFirst(4))
            guard let value = environment[name], !value.isEmpty else {
                throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "environment variable \(name) is not set"))
            }
            return value
        }
        if raw.hasPrefix("file:") {
            let path = String(raw.dropFirst(5))
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "secret file \(path) cannot be read"))
            }
            return text.hasSuffix("\n") ? String(text.dropLast()) : text
        }
        return raw
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}

extension CodingUserInfoKey {
    /// The environment a configuration is decoded against (tests pass their own).
    public static let environment = CodingUserInfoKey(rawValue: "ibq.environment")!
}
