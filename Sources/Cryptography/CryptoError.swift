/// Why a key could not be read or a signature could not be made. Carries OpenSSL's own reason text
/// (never key material), so an operator can tell a malformed PEM from a wrong key type.
public enum CryptoError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The PEM text did not contain a key OpenSSL could read.
    case unreadableKey(String)
    /// The key is not RSA (RS256 needs RSA).
    case notRSA
    /// OpenSSL failed while signing or generating a key.
    case operationFailed(String)

    public var description: String {
        switch self {
        case let .unreadableKey(detail): "could not read the key: \(detail)"
        case .notRSA: "the key is not an RSA key (RS256 needs RSA)"
        case let .operationFailed(detail): "OpenSSL operation failed: \(detail)"
        }
    }
}
