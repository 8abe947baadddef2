import COpenSSL
import Foundation

/// SHA-256 through OpenSSL: content hashes in record envelopes and BigQuery insertIds.
public enum SHA256 {
    /// Lowercase hex of the digest, 64 characters. Runs once or twice per record on the poller's and the
    /// loader's hot paths, so the digest stays on the stack and the hex is written straight into the String.
    public static func hex(_ bytes: some ContiguousBytes) -> String {
        String(unsafeUninitializedCapacity: hexLength) { out in
            writeHex(of: bytes, into: out)
            return hexLength
        }
    }

    /// Hands `body` the lowercase hex of the digest (64 bytes, valid only inside `body`), with no `String`:
    /// for checking a hash someone else wrote down.
    public static func withHex<Result>(of bytes: some ContiguousBytes, _ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: hexLength) { hex in
            writeHex(of: bytes, into: hex)
            return try body(UnsafeBufferPointer(hex))
        }
    }

    private static let hexLength = 2 * Int(SHA256_DIGEST_LENGTH)

    /// The digest of `bytes` as lowercase hex in the first 64 bytes of `out`.
    private static func writeHex(of bytes: some ContiguousBytes, into out: UnsafeMutableBufferPointer<UInt8>) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Int(SHA256_DIGEST_LENGTH)) { digest in
            bytes.withUnsafeBytes { input in
                _ = EVP_Digest(input.baseAddress, input.count, digest.baseAddress, nil, algorithm.md, nil)
            }
            for (index, byte) in digest.enumerated() {
                out[2 * index] = hexDigits[Int(byte >> 4)]
                out[2 * index + 1] = hexDigits[Int(byte & 0x0F)]
            }
        }
    }

    /// SHA-256 fetched from OpenSSL's provider once. `EVP_sha256()` is looked up in the provider store
    /// again by every digest (a lock and a table look-up): about 40% of a 300-byte digest's time here.
    private static let algorithm = Algorithm()

    // @unchecked Sendable: a fetched EVP_MD is immutable and may be used from any thread (OpenSSL's
    // threading rules); it is kept for the life of the process.
    private final class Algorithm: @unchecked Sendable {
        let md: OpaquePointer?
        init() { md = EVP_MD_fetch(nil, "SHA256", nil) ?? EVP_sha256() }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    public static func hex(_ text: String) -> String {
        hex(Data(text.utf8))
    }
}

extension Data {
    /// Lowercase hex, two characters a byte.
    public var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes = [UInt8]()
        bytes.reserveCapacity(count * 2)
        for byte in self {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
