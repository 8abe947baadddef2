import CCurl
import Foundation

/// One request in flight: owns its easy handle, the request body bytes libcurl reads from, and the
/// response being collected. Touched only by the transfer loop's thread once submitted.
// @unchecked Sendable: once submitted, the easy handle and the mutable fields are touched only by the transfer loop's thread.
final class CurlTransfer: @unchecked Sendable {
    let url: String
    let timeout: Duration
    let easy: UnsafeMutableRawPointer
    var continuation: CheckedContinuation<HTTPResponse, any Error>?
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var requestBody: UnsafeMutableRawBufferPointer?
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    private let maxResponseBytes: Int
    fileprivate(set) var responseBody = Data()
    fileprivate(set) var responseHeaders: [String: String] = [:]
    fileprivate var overflowed = false

    init(request: HTTPRequest, configuration: HTTPClientConfiguration) throws {
        CurlGlobal.initialize()
        guard let easy = curl_easy_init() else {
            throw HTTPClientError.invalidRequest(url: request.url, detail: "libcurl could not allocate a handle")
        }
        self.easy = easy
        self.url = request.url
        self.timeout = request.timeout
        self.maxResponseBytes = configuration.maxResponseBytes
        errorBuffer.initialize(to: 0)
        configure(request, configuration)
    }

    deinit {
        curl_easy_cleanup(easy)
        curl_slist_free_all(headerList)
        requestBody?.deallocate()
        errorBuffer.deallocate()
    }

    private func configure(_ request: HTTPRequest, _ configuration: HTTPClientConfiguration) {
        ibq_easy_setopt_str(easy, CURLOPT_URL, request.url)
        ibq_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        ibq_easy_setopt_ptr(easy, CURLOPT_ERRORBUFFER, errorBuffer)
        ibq_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, request.timeout.milliseconds)
        ibq_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, configuration.connectTimeout.milliseconds)
        // An empty string asks for every encoding this libcurl can decode, and decodes transparently.
        ibq_easy_setopt_str(easy, CURLOPT_ACCEPT_ENCODING, "")
        ibq_easy_setopt_long(easy, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
        ibq_easy_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, configuration.verifyTLS ? 1 : 0)
        ibq_easy_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, configuration.verifyTLS ? 2 : 0)
        if let caFile = configuration.caFile { ibq_easy_setopt_str(easy, CURLOPT_CAINFO, caFile) }
        ibq_easy_setopt_str(easy, CURLOPT_USERAGENT, configuration.userAgent)
        ibq_easy_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 0)

        let me = Unmanaged.passUnretained(self).toOpaque()
        ibq_easy_setopt_ptr(easy, CURLOPT_WRITEDATA, me)
        ibq_easy_setopt_write(easy) { bytes, size, count, context in
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
            let length = size * count
            if transfer.responseBody.count + length > transfer.maxResponseBytes {
                transfer.overflowed = true
                return 0  // makes libcurl abort the transfer with CURLE_WRITE_ERROR
            }
            if transfer.responseBody.isEmpty, let expected = transfer.expectedBodyBytes { transfer.responseBody.reserveCapacity(expected) }
            if let bytes { transfer.responseBody.append(UnsafeRawPointer(bytes).assumingMemoryBound(to: UInt8.self), count: length) }
            return length
        }
        ibq_easy_setopt_ptr(easy, CURLOPT_HEADERDATA, me)
        ibq_easy_setopt_header(easy) { bytes, size, count, context in
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
            let length = size * count
            guard let bytes else { return length }
            let line = String(decoding: UnsafeRawBufferPointer(start: bytes, count: length), as: UTF8.self)
            transfer.takeHeaderLine(line)
            return length
        }

        var list: UnsafeMutablePointer<curl_slist>?
        for header in request.headers { list = curl_slist_append(list, "\(header.name): \(header.value)") }
        // libcurl adds "Expect: 100-continue" to large POSTs, which costs a round trip for nothing here.
        list = curl_slist_append(list, "Expect:")
        headerList = list
        ibq_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, list)

        let method = request.method.uppercased()
        if method == "GET" && request.body.isEmpty { return }
        if method == "HEAD" { ibq_easy_setopt_long(easy, CURLOPT_NOBODY, 1); return }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, request.body.count), alignment: 1)
        request.body.copyBytes(to: buffer)
        requestBody = buffer
        ibq_easy_setopt_long(easy, CURLOPT_POST, 1)
        ibq_easy_setopt_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count))
        ibq_easy_setopt_ptr(easy, CURLOPT_POSTFIELDS, buffer.baseAddress)
        if method != "POST" { ibq_easy_setopt_str(easy, CURLOPT_CUSTOMREQUEST, method) }
    }

    /// The body's size as announced, when it arrives as sent (no content coding to undo). Reserving it
    /// up front matters for big bodies (an Intacct page is megabytes): grown by appends, the buffer ends
    /// up to twice the body's size and is copied on the way, old and new copies alive at once.
    private var expectedBodyBytes: Int? {
        guard responseHeaders["content-encoding"] == nil, let length = responseHeaders["content-length"].flatMap({ Int($0) }),
              length > 0, length <= maxResponseBytes else { return nil }
        return length
    }

    private func takeHeaderLine(_ line: String) {
        let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("HTTP/") {
            responseHeaders = [:]  // a new status line (after 100 Continue or a redirect) starts over
            return
        }
        guard let colon = trimmed.firstIndex(of: ":") else { return }
        let name = trimmed[..<colon].lowercased()
        let value = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        responseHeaders[name] = value
    }

    /// Resumes the caller exactly once with the outcome of libcurl's `code`.
    func complete(_ code: CURLcode) {
        guard let continuation else { return }
        self.continuation = nil
        if code == CURLE_OK {
            var status = 0
            ibq_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
            continuation.resume(returning: HTTPResponse(status: status, headers: responseHeaders, body: responseBody))
        } else {
            continuation.resume(throwing: error(for: code))
        }
    }

    func fail(_ error: HTTPClientError) {
        guard let continuation else { return }
        self.continuation = nil
        continuation.resume(throwing: error)
    }

    private func error(for code: CURLcode) -> HTTPClientError {
        let detail = errorBuffer.pointee != 0 ? String(cString: errorBuffer) : String(cString: curl_easy_strerror(code))
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT:
            return .couldNotConnect(url: url, detail: detail)
        case CURLE_OPERATION_TIMEDOUT:
            return .timedOut(url: url, after: timeout)
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE,
             CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_ENGINE_NOTFOUND:
            return .tlsFailed(url: url, detail: detail)
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT:
            return .invalidRequest(url: url, detail: detail)
        case CURLE_WRITE_ERROR where overflowed:
            return .transferFailed(url: url, detail: "response body exceeds \(maxResponseBytes) bytes")
        default:
            return .transferFailed(url: url, detail: detail)
        }
    }
}

enum CurlGlobal {
    private static let once: Void = { curl_global_init(Int(CURL_GLOBAL_ALL)) }()
    static func initialize() { _ = once }
}

extension Duration {
    /// Whole milliseconds, for C APIs that take them.
    public var milliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}
