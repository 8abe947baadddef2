/// An OAuth error body (RFC 6749 §5.2): `{"error": "invalid_grant", "error_description": "..."}`.
/// Both members are safe to log: they never carry the assertion or a token.
struct OAuthErrorResponse: Decodable {
    var error: String?
    var errorDescription: String?

    enum CodingKeys: String, CodingKey {
        case error
        case errorDescription = "error_description"
    }
}
