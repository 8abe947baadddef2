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
        if let seconds = Double(raw) { return Self.delay(seconds: seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: raw) else { return nil }
        return Self.delay(seconds: date.timeIntervalSinceNow)
    }

    /// The longest `Retry-After` taken at its word; callers cap their waits far below it anyway.
    private static let maximumRetryAfter: Duration = .seconds(86_400)

    /// Whoever answered (a proxy, a load balancer) writes the header, so `1e300`, `inf` or a date in the
    /// year 99999 must not trap the conversion to whole milliseconds: clamped, and NaN is no value at all.
    private static func delay(seconds: Double) -> Duration? {
        guard !seconds.isNaN else { return nil }
        let capped = min(max(0, seconds), Double(maximumRetryAfter.components.seconds))
        return .milliseconds(Int64(capped * 1000))
    }

    public var contentType: String { headers["content-type"] ?? "" }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}
