import Foundation

/// A compact-serialised JWT signed with RS256, as Google's service-account flow uses it
/// (RFC 7523 bearer assertion). Only what that flow needs: RS256, a fixed claim set, no nesting.
public struct JSONWebToken: Sendable, Equatable {
    /// `{"alg":"RS256","typ":"JWT","kid":...}`.
    public struct Header: Codable, Sendable, Equatable {
        public var alg: String
        public var typ: String?
        public var kid: String?

        public init(alg: String = "RS256", typ: String? = "JWT", kid: String?) {
            self.alg = alg
            self.typ = typ
            self.kid = kid
        }
    }

    /// The service-account assertion claims: issuer, scope, audience, issued-at and expiry (epoch seconds).
    public struct Claims: Codable, Sendable, Equatable {
        public var iss: String
        public var scope: String
        public var aud: String
        public var iat: Int
        public var exp: Int

        public init(iss: String, scope: String, aud: String, iat: Int, exp: Int) {
            self.iss = iss
            self.scope = scope
            self.aud = aud
            self.iat = iat
            self.exp = exp
        }
    }

    public var header: Header
    public var claims: Claims

    public init(header: Header, claims: Claims) {
        self.header = header
        self.claims = claims
    }

    /// `base64url(header).base64url(claims).base64url(signature)`.
    public func signed(with key: RSAPrivateKey) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let signingInput = Base64URL.encode(try encoder.encode(header)) + "." + Base64URL.encode(try encoder.encode(claims))
        return signingInput + "." + (try RS256.signBase64URL(signingInput, with: key))
    }

    /// Parses `compact`, checks that it is RS256 and that its signature verifies under `key`.
    /// Claims are returned unchecked: issuer, audience and expiry are the verifier's policy.
    public static func verified(_ compact: String, with key: RSAPublicKey) throws -> JSONWebToken {
        let parts = compact.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw JSONWebTokenError.malformed("expected 3 dot-separated parts, found \(parts.count)") }
        guard let headerData = Base64URL.decode(parts[0]), let claimsData = Base64URL.decode(parts[1]) else {
            throw JSONWebTokenError.malformed("header or claims are not base64url")
        }
        let header: Header
        do { header = try JSONDecoder().decode(Header.self, from: headerData) } catch {
            throw JSONWebTokenError.malformed("header is not a JWT header")
        }
        guard header.alg == "RS256" else { throw JSONWebTokenError.unsupportedAlgorithm(header.alg) }
        guard let signature = Base64URL.decode(parts[2]) else { throw JSONWebTokenError.malformed("signature is not base64url") }
        let signingInput = Data("\(parts[0]).\(parts[1])".utf8)
        guard RS256.verify(signature: signature, of: signingInput, with: key) else { throw JSONWebTokenError.badSignature }
        do {
            return JSONWebToken(header: header, claims: try JSONDecoder().decode(Claims.self, from: claimsData))
        } catch {
            throw JSONWebTokenError.malformed("claims lack iss, scope, aud, iat or exp")
        }
    }
}

/// Why a JWT was refused before its claims were looked at.
public enum JSONWebTokenError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformed(String)
    case unsupportedAlgorithm(String)
    /// The signature does not match: signed by another key, or the header/claims were altered.
    case badSignature

    public var description: String {
        switch self {
        case let .malformed(detail): "malformed JWT: \(detail)"
        case let .unsupportedAlgorithm(alg): "unsupported JWT algorithm \(alg) (only RS256)"
        case .badSignature: "invalid JWT signature"
        }
    }
}
