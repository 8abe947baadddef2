/// How a sandbox company is generated and how strict its gateway is. Defaults are the contract's
/// (docs/sandbox-company.md).
public struct SandboxConfiguration: Sendable {
    /// Same seed, same company: every record is a pure function of (seed, object, index).
    public var seed: UInt64 = 42
    /// Approximate total number of records across all objects and entities.
    public var scale: Int = 20_000
    /// Idle timeout of API sessions (sliding: each call moves it forward).
    public var sessionDuration: Duration = .seconds(3600)
    /// Requests served at once; one more gets HTTP 429 with GW-0010, like Intacct's per-company limit.
    public var maxConcurrentRequests: Int = 2
    public var senderID = "demo-sender"
    public var senderPassword = "sender-secret"
    public var userID = "api_user"
    public var companyID = "DEMO"
    public var userPassword = "user-secret"
    /// Seconds east of UTC of the API user's time zone (`--timezone`, default 0 = UTC). Intacct serves
    /// timestamps in that local time without an offset and reads filter values the same way; only
    /// `sessiontimestamp`/`sessiontimeout` carry the offset.
    public var utcOffsetSeconds: Int64 = 0

    public init(seed: UInt64 = 42, scale: Int = 20_000, sessionDuration: Duration = .seconds(3600), maxConcurrentRequests: Int = 2) {
        self.seed = seed
        self.scale = scale
        self.sessionDuration = sessionDuration
        self.maxConcurrentRequests = maxConcurrentRequests
    }

    /// The lines of an `intacct:` configuration block that log in to this company at `endpoint`, indented
    /// two spaces, for tests, benchmarks and the fault matrix to put their own limits after.
    public func intacctCredentialsYAML(endpoint: String) -> String {
        """
          endpoint: \(endpoint)
          sender_id: \(senderID)
          sender_password: \(senderPassword)
          user_id: \(userID)
          company_id: \(companyID)
          user_password: \(userPassword)
        """
    }

    var sessionSeconds: Int64 { max(1, sessionDuration.components.seconds) }

    /// Reads `±HH:MM` (or `Z`, `UTC`) into seconds east of UTC; nil outside −12:00…+14:00 or malformed.
    public static func utcOffset(parsing text: String) -> Int64? { IntacctTime.parseOffset(text) }
}
