import COpenSSL
import Foundation

/// OpenSSL's thread-local error queue and BIO plumbing, kept in one place so the key types stay short.
enum OpenSSLErrors {
    static func clear() { ERR_clear_error() }

    /// The queued errors as text (OpenSSL's reason strings carry no key material), then clears the queue.
    static func drain(or fallback: String) -> String {
        var messages: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            messages.append(buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        }
        return messages.isEmpty ? fallback : messages.joined(separator: "; ")
    }

    /// A read-write memory BIO holding a copy of `data` (a copy, so no Swift buffer has to outlive it).
    static func memoryBIO(_ data: Data) throws -> OpaquePointer {
        guard let bio = BIO_new(BIO_s_mem()) else { throw CryptoError.operationFailed("BIO_new") }
        let written = data.withUnsafeBytes { BIO_write(bio, $0.baseAddress, Int32($0.count)) }
        guard written == Int32(data.count) else {
            BIO_free(bio)
            throw CryptoError.operationFailed("BIO_write")
        }
        return bio
    }

    static func writePEM(_ write: (OpaquePointer) -> Int32) throws -> String {
        clear()
        guard let bio = BIO_new(BIO_s_mem()) else { throw CryptoError.operationFailed("BIO_new") }
        defer { BIO_free(bio) }
        guard write(bio) == 1 else { throw CryptoError.operationFailed(drain(or: "PEM write")) }
        var pointer: UnsafeMutablePointer<CChar>?
        let length = ibq_bio_get_mem_data(bio, &pointer)
        guard let pointer, length > 0 else { throw CryptoError.operationFailed("empty PEM") }
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self)
    }
}
