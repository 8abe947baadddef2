import COpenSSL
import Foundation

/// An RSA public key (`-----BEGIN PUBLIC KEY-----`, SubjectPublicKeyInfo) for verifying RS256 signatures.
// @unchecked Sendable: the EVP_PKEY is never modified after load, and each verification gets its own EVP_MD_CTX.
public final class RSAPublicKey: @unchecked Sendable {
    let pkey: OpaquePointer

    public init(pem: String) throws {
        OpenSSLErrors.clear()
        let bio = try OpenSSLErrors.memoryBIO(Data(pem.utf8))
        defer { BIO_free(bio) }
        guard let key = PEM_read_bio_PUBKEY(bio, nil, nil, nil) else {
            throw CryptoError.unreadableKey(OpenSSLErrors.drain(or: "no PEM public key found"))
        }
        guard EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA else {
            EVP_PKEY_free(key)
            throw CryptoError.notRSA
        }
        pkey = key
    }

    deinit { EVP_PKEY_free(pkey) }

    /// SubjectPublicKeyInfo PEM.
    public func pem() throws -> String {
        try OpenSSLErrors.writePEM { PEM_write_bio_PUBKEY($0, pkey) }
    }
}
