import Foundation

/// Status, headers and (already decompressed) body of a completed exchange.
public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names lowercased; a repeated header keeps its last value.
    public var headers: [String: String]
    public var body: Data

    public init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public var isSuccess: Bool { (200..<300).contains(status) }

    /// 429 and 5xx are worth another try; other statuses say something about the request itself.
    public var isRetryableStatus: Bool { status == 429 || (500..<600).contains(status) }

    /// `Retry-After` in seconds (delta form; the HTTP-date form is read too), if the server sent one.
    public var retryAfter: Duration? {
        guard let raw = headers["retry-after"]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
        if let seconds = Double(raw) { return .milliseconds(Int64(max(0, seconds) * 1000)) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: raw) else { return nil }
        return .milliseconds(Int64(max(0, date.timeIntervalSinceNow) * 1000))
    }

    public var contentType: String { headers["content-type"] ?? "" }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}
