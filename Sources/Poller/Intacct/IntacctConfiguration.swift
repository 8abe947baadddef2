import Operations
import Timestamps

/// How to reach and log in to one Intacct company, and how hard to push it.
public struct IntacctConfiguration: Sendable {
    /// The XML gateway used for getAPISession; later calls go to the endpoint the session names.
    public var endpoint: String
    public var senderID: String
    public var senderPassword: String
    public var userID: String
    public var companyID: String
    public var userPassword: String
    /// Requests in flight at once for the whole company. Intacct's default allowance is 2; a third
    /// request waits and then fails with GW-0010.
    public var maxConcurrentRequests: Int
    /// Token-bucket rate shared by every caller of this company.
    public var requestsPerSecond: Double
    /// Rows per page: `query` allows up to 2000, `readByQuery` up to 1000 (clamped there).
    public var pageSize: Int
    /// Whole-exchange deadline; Intacct's own SDK waits 300 s.
    public var requestTimeout: Duration
    /// Retries of rate limits, 5xx/524, HTML error pages, truncated bodies and transport errors.
    public var backoff: Backoff
    /// A session is renewed after this long even if Intacct would keep it (its idle timeout slides).
    public var sessionMaxAge: Duration
    /// The zone Intacct writes this user's times in; nil learns it from each session's `sessiontimestamp`.
    public var timeZone: IntacctTimeZone?

    public static let defaultEndpoint = "https://api.intacct.com/ia/xml/xmlgw.phtml"

    public init(
        endpoint: String = IntacctConfiguration.defaultEndpoint,
        senderID: String,
        senderPassword: String,
        userID: String,
        companyID: String,
        userPassword: String,
        maxConcurrentRequests: Int = 2,
        requestsPerSecond: Double = 10,
        pageSize: Int = 2000,
        requestTimeout: Duration = .seconds(300),
        backoff: Backoff = Backoff(),
        sessionMaxAge: Duration = .seconds(50 * 60),
        timeZone: IntacctTimeZone? = nil
    ) {
        self.endpoint = endpoint
        self.senderID = senderID
        self.senderPassword = senderPassword
        self.userID = userID
        self.companyID = companyID
        self.userPassword = userPassword
        self.maxConcurrentRequests = maxConcurrentRequests
        self.requestsPerSecond = requestsPerSecond
        self.pageSize = pageSize
        self.requestTimeout = requestTimeout
        self.backoff = backoff
        self.sessionMaxAge = sessionMaxAge
        self.timeZone = timeZone
    }

    /// Checks the values once at start-up; the error names the setting.
    public func validate() throws {
        func require(_ condition: Bool, _ message: String) throws {
            if !condition { throw IntacctError.invalidRequest(message) }
        }
        try require(!endpoint.isEmpty, "endpoint is empty")
        try require(!senderID.isEmpty && !senderPassword.isEmpty, "sender id and sender password are required")
        try require(!userID.isEmpty && !companyID.isEmpty && !userPassword.isEmpty, "user id, company id and user password are required")
        try require(maxConcurrentRequests >= 1, "maxConcurrentRequests must be at least 1")
        try require(requestsPerSecond > 0, "requestsPerSecond must be positive")
        try require((1...2000).contains(pageSize), "pageSize must be 1...2000 (query's maximum)")
    }
}
