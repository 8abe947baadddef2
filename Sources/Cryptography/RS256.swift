import COpenSSL
import Foundation

/// RS256 as JWTs define it: RSASSA-PKCS1-v1_5 over SHA-256, through OpenSSL's EVP interface.
public enum RS256 {
    /// The raw signature over `message` (256 bytes for a 2048-bit key).
    public static func sign(_ message: Data, with key: RSAPrivateKey) throws -> Data {
        OpenSSLErrors.clear()
        guard let ctx = EVP_MD_CTX_new() else { throw CryptoError.operationFailed("EVP_MD_CTX_new") }
        defer { EVP_MD_CTX_free(ctx) }
        var pctx: OpaquePointer?
        guard EVP_DigestSignInit(ctx, &pctx, EVP_sha256(), nil, key.pkey) == 1,
              let pctx, EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1
        else { throw CryptoError.operationFailed(OpenSSLErrors.drain(or: "EVP_DigestSignInit")) }
        var length = 0
        let ok = message.withUnsafeBytes { input -> Bool in
            let bytes = input.bindMemory(to: UInt8.self).baseAddress
            return EVP_DigestSign(ctx, nil, &length, bytes, input.count) == 1
        }
        guard ok else { throw CryptoError.operationFailed(OpenSSLErrors.drain(or: "EVP_DigestSign (size)")) }
        var signature = Data(count: length)
        let signed = signature.withUnsafeMutableBytes { out -> Bool in
            message.withUnsafeBytes { input in
                EVP_DigestSign(ctx, out.bindMemory(to: UInt8.self).baseAddress, &length,
                               input.bindMemory(to: UInt8.self).baseAddress, input.count) == 1
            }
        }
        guard signed else { throw CryptoError.operationFailed(OpenSSLErrors.drain(or: "EVP_DigestSign")) }
        return signature.prefix(length)
    }

    /// Base64url of the signature over the UTF-8 of `signingInput` (`<header>.<claims>` for a JWT).
    public static func signBase64URL(_ signingInput: String, with key: RSAPrivateKey) throws -> String {
        Base64URL.encode(try sign(Data(signingInput.utf8), with: key))
    }

    /// Whether `signature` is a valid RS256 signature of `message` under `key`. Any failure (wrong key,
    /// altered message, truncated signature) is simply `false`: callers report "bad signature".
    public static func verify(signature: Data, of message: Data, with key: RSAPublicKey) -> Bool {
        defer { OpenSSLErrors.clear() }
        guard let ctx = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(ctx) }
        var pctx: OpaquePointer?
        guard EVP_DigestVerifyInit(ctx, &pctx, EVP_sha256(), nil, key.pkey) == 1,
              let pctx, EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1 else { return false }
        return signature.withUnsafeBytes { sig in
            message.withUnsafeBytes { input in
                EVP_DigestVerify(ctx, sig.bindMemory(to: UInt8.self).baseAddress, sig.count,
                                 input.bindMemory(to: UInt8.self).baseAddress, input.count) == 1
            }
        }
    }
}
