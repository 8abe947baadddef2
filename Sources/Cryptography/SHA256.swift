import COpenSSL
import Foundation

/// SHA-256 through OpenSSL: content hashes in record envelopes and BigQuery insertIds.
public enum SHA256 {
    /// Lowercase hex of the digest, 64 characters. Runs once or twice per record on the poller's and the
    /// loader's hot paths, so the digest stays on the stack and the hex is written straight into the String.
    public static func hex(_ bytes: some ContiguousBytes) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Int(SHA256_DIGEST_LENGTH)) { digest in
            bytes.withUnsafeBytes { input in
                _ = EVP_Digest(input.baseAddress, input.count, digest.baseAddress, nil, EVP_sha256(), nil)
            }
            return String(unsafeUninitializedCapacity: digest.count * 2) { out in
                for (index, byte) in digest.enumerated() {
                    out[2 * index] = hexDigits[Int(byte >> 4)]
                    out[2 * index + 1] = hexDigits[Int(byte & 0x0F)]
                }
                return digest.count * 2
            }
        }
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
