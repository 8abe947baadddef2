import Foundation

/// A bearer token from the token endpoint. `description` hides the value, so a token can be logged
/// or put in an error by mistake without leaking.
public struct AccessToken: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The secret itself; only the HTTP layer reads it, to build the `Authorization` header.
    public let value: String
    public let expiresAt: Date

    public init(value: String, expiresAt: Date) {
        self.value = value
        self.expiresAt = expiresAt
    }

    public var description: String { "AccessToken(redacted, expires \(expiresAt))" }
    public var debugDescription: String { description }
}
