import Configuration
import Operations
import Timestamps

/// `intacct:` in the poller's configuration file: how to reach and sign in to one Intacct company.
public struct IntacctSettings: Decodable, Sendable {
    public var endpoint: String
    public var senderID: String
    public var senderPassword: Secret
    public var userID: String
    public var companyID: String
    public var userPassword: Secret
    /// Intacct's default per-company limit is 2 requests in flight; a third waits, then fails with GW-0010.
    public var maxConcurrentRequests: Int
    public var requestsPerSecond: Double
    public var pageSize: Int
    public var timeoutSeconds: Int
    /// Retries of one request on 429/GW-0010, 5xx, HTML error pages and transport errors before the
    /// stream's run gives up (audited; the next scheduled run tries again).
    public var maxRetries: Int
    /// `timezone`: the API user's zone (`-08:00`, `UTC`, or an IANA name), overriding the offset learned
    /// from the session's `sessiontimestamp`; nil learns it.
    public var timeZone: IntacctTimeZone?

    enum CodingKeys: String, CodingKey {
        case endpoint, senderID = "sender_id", senderPassword = "sender_password", userID = "user_id"
        case companyID = "company_id", userPassword = "user_password"
        case maxConcurrentRequests = "max_concurrent_requests", requestsPerSecond = "requests_per_second"
        case pageSize = "page_size", timeoutSeconds = "timeout_seconds", maxRetries = "max_retries"
        case timeZone = "timezone"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        endpoint = try c.decodeIfPresent(String.self, forKey: .endpoint) ?? "https://api.intacct.com/ia/xml/xmlgw.phtml"
        senderID = try c.decode(String.self, forKey: .senderID)
        senderPassword = try c.decode(Secret.self, forKey: .senderPassword)
        userID = try c.decode(String.self, forKey: .userID)
        companyID = try c.decode(String.self, forKey: .companyID)
        userPassword = try c.decode(Secret.self, forKey: .userPassword)
        maxConcurrentRequests = try c.decodeIfPresent(Int.self, forKey: .maxConcurrentRequests) ?? 2
        requestsPerSecond = try c.decodeIfPresent(Double.self, forKey: .requestsPerSecond) ?? 10
        pageSize = try c.decodeIfPresent(Int.self, forKey: .pageSize) ?? 2000
        timeoutSeconds = try c.decodeIfPresent(Int.self, forKey: .timeoutSeconds) ?? 300
        maxRetries = try c.decodeIfPresent(Int.self, forKey: .maxRetries) ?? 10
        if let text = try c.decodeIfPresent(String.self, forKey: .timeZone) {
            guard let zone = IntacctTimeZone(setting: text) else {
                throw DecodingError.dataCorruptedError(forKey: .timeZone, in: c,
                                                       debugDescription: "'\(text)' is not UTC, ±HH:MM or a time-zone name this system knows")
            }
            timeZone = zone
        }
        guard maxRetries >= 0 else {
            throw DecodingError.dataCorruptedError(forKey: .maxRetries, in: c, debugDescription: "must not be negative")
        }
        guard endpoint.hasPrefix("https://") || endpoint.hasPrefix("http://") else {
            throw DecodingError.dataCorruptedError(forKey: .endpoint, in: c, debugDescription: "must be an http(s) URL")
        }
        guard maxConcurrentRequests >= 1 else {
            throw DecodingError.dataCorruptedError(forKey: .maxConcurrentRequests, in: c, debugDescription: "must be at least 1")
        }
        guard requestsPerSecond > 0 else {
            throw DecodingError.dataCorruptedError(forKey: .requestsPerSecond, in: c, debugDescription: "must be above 0")
        }
        guard (1...2000).contains(pageSize) else {
            throw DecodingError.dataCorruptedError(forKey: .pageSize, in: c, debugDescription: "must be 1 to 2000 (Intacct's query limit)")
        }
    }
}

extension IntacctSettings {
    /// The client configuration these settings describe.
    public var clientConfiguration: IntacctConfiguration {
        IntacctConfiguration(
            endpoint: endpoint, senderID: senderID, senderPassword: senderPassword.value,
            userID: userID, companyID: companyID, userPassword: userPassword.value,
            maxConcurrentRequests: maxConcurrentRequests, requestsPerSecond: requestsPerSecond,
            pageSize: pageSize, requestTimeout: .seconds(timeoutSeconds),
            backoff: Backoff(initial: .milliseconds(200), maximum: .seconds(30), maxRetries: maxRetries),
            timeZone: timeZone
        )
    }
}
