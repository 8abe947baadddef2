import COpenSSL
import Foundation

/// An RSA private key held by OpenSSL. Parsed once from PEM (PKCS#8 `PRIVATE KEY`, as in Google
/// service-account files, or PKCS#1 `RSA PRIVATE KEY`) and reused for every signature.
///
/// The key material never leaves OpenSSL except through `pemPKCS8()`, which exists so tests and the
/// sandbox can write service-account files; `description` says only that this is a key.
// @unchecked Sendable: the EVP_PKEY is never modified after load, and `RS256.sign` gives each signature its own EVP_MD_CTX.
public final class RSAPrivateKey: @unchecked Sendable, CustomStringConvertible {
    let pkey: OpaquePointer

    public init(pem: String) throws {
        OpenSSLErrors.clear()
        let bio = try OpenSSLErrors.memoryBIO(Data(pem.utf8))
        defer { BIO_free(bio) }
        guard let key = PEM_read_bio_PrivateKey(bio, nil, nil, nil) else {
            throw CryptoError.unreadableKey(OpenSSLErrors.drain(or: "no PEM private key found"))
        }
        guard EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA else {
            EVP_PKEY_free(key)
            throw CryptoError.notRSA
        }
        pkey = key
    }

    private init(owning key: OpaquePointer) { pkey = key }

    deinit { EVP_PKEY_free(pkey) }

    /// A fresh key pair, for tests and the sandbox's service accounts.
    public static func generate(bits: Int = 2048) throws -> RSAPrivateKey {
        OpenSSLErrors.clear()
        guard let ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, nil) else {
            throw CryptoError.operationFailed(OpenSSLErrors.drain(or: "EVP_PKEY_CTX_new_id"))
        }
        defer { EVP_PKEY_CTX_free(ctx) }
        var key: OpaquePointer?
        guard EVP_PKEY_keygen_init(ctx) == 1,
              EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, Int32(bits)) == 1,
              EVP_PKEY_keygen(ctx, &key) == 1, let key
        else { throw CryptoError.operationFailed(OpenSSLErrors.drain(or: "RSA key generation")) }
        return RSAPrivateKey(owning: key)
    }

    /// The private key as PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), the form service-account files use.
    public func pemPKCS8() throws -> String {
        try OpenSSLErrors.writePEM { PEM_write_bio_PKCS8PrivateKey($0, pkey, nil, nil, 0, nil, nil) }
    }

    /// The matching public key.
    public func publicKey() throws -> RSAPublicKey {
        let pem = try OpenSSLErrors.writePEM { PEM_write_bio_PUBKEY($0, pkey) }
        return try RSAPublicKey(pem: pem)
    }

    public var description: String { "RSAPrivateKey(\(EVP_PKEY_get_bits(pkey)) bits, redacted)" }
}
