/// A fault rule: what goes wrong, for which requests, how many times. Mirrors the JSON body of
/// `POST /admin/faults` (snake_case keys there).
public struct SandboxFault: Sendable, Codable, Equatable {
    /// The failure modes a real Intacct gateway (behind Cloudflare) shows.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// Answer normally, `ms` milliseconds (default 1000) after the request arrived: the answer is built
        /// during the wait, as a remote gateway's response time includes its own work.
        case latency
        /// HTTP 429 with `Retry-After: retry_after` (default 1) and the GW-0010 control-failure body.
        case http429
        /// HTTP 502 / 503 with an HTML body, as a load balancer sends them.
        case http502, http503
        /// HTTP 524: Cloudflare gave up waiting for the origin (which may still be working).
        case http524
        /// A Cloudflare HTML error page (contains `cf-error-details`), HTTP `status` (default 520).
        case cloudflareHTML = "cloudflare_html"
        /// After `after_calls` more successful session-authenticated requests, the session used by the next
        /// one is expired: that request gets an authentication failure.
        case sessionExpiry = "session_expiry"
        /// The matching function's result fails with `errorno`/`description`/`description2`/`correction`.
        case applicationError = "application_error"
        /// Raw 0x01 and 0x0B bytes inside a text value of every row (e.g. a vendor NAME).
        case controlCharacters = "control_characters"
        /// The body is cut in the middle (mid-row for a page of rows).
        case truncatedXML = "truncated_xml"
        /// Reads of AUDITHISTORY fail with DL02000001 "There was an error processing the request."
        case flakyAuditHistory = "flaky_audit_history"
        /// The record `recordno` of `object` carries a value in `field` (default AMOUNT) that no column type
        /// accepts: `suffix` (default " USD") is appended, e.g. `1234.50 USD`. Every read of the record
        /// while the rule is active sees the same value, so a loader can only set it aside (dead letter).
        case untypeableValue = "untypeable_value"
        /// A `query` page's rows are named other than its `listtype` says (`<APBILL_ROW>` in a page of
        /// APBILL), while `count` and `numremaining` still count them: a strict reader sees no rows.
        case misnamedRows = "misnamed_rows"
        /// `query` ignores its filter (as a gateway that drops a keyset condition would): every page starts
        /// from the beginning again.
        case ignoredFilter = "ignored_filter"
        /// A `query` page's rows come in the reverse of the requested order (the page is the right set).
        case unorderedRows = "unordered_rows"
        /// A `query` page holds no rows (`count="0"`) although `numremaining` says rows remain.
        case emptyPage = "empty_page"
    }

    public var kind: Kind
    /// Only requests reading this object (case-insensitive); nil = any.
    public var object: String?
    /// Only this function (`query`, `readByQuery`, `readMore`, `getAPISession`, `lookup`); nil = any.
    public var function: String?
    /// How many times the rule fires; -1 = until cleared.
    public var times: Int
    public var ms: Int?
    public var retryAfter: Int?
    public var afterCalls: Int?
    public var status: Int?
    public var errorno: String?
    public var description: String?
    public var description2: String?
    public var correction: String?
    /// `untypeable_value`: the RECORDNO of the record, its field, and what is appended to the value.
    public var recordno: String?
    public var field: String?
    public var suffix: String?

    public init(kind: Kind, object: String? = nil, function: String? = nil, times: Int = 1, ms: Int? = nil,
                retryAfter: Int? = nil, afterCalls: Int? = nil, status: Int? = nil, errorno: String? = nil,
                description: String? = nil, description2: String? = nil, correction: String? = nil,
                recordno: String? = nil, field: String? = nil, suffix: String? = nil) {
        self.kind = kind
        self.object = object
        self.function = function
        self.times = times
        self.ms = ms
        self.retryAfter = retryAfter
        self.afterCalls = afterCalls
        self.status = status
        self.errorno = errorno
        self.description = description
        self.description2 = description2
        self.correction = correction
        self.recordno = recordno
        self.field = field
        self.suffix = suffix
    }

    enum CodingKeys: String, CodingKey {
        case kind, object, function, times, ms, status, errorno, description, description2, correction
        case recordno, field, suffix
        case retryAfter = "retry_after", afterCalls = "after_calls"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            kind: try c.decode(Kind.self, forKey: .kind),
            object: try c.decodeIfPresent(String.self, forKey: .object),
            function: try c.decodeIfPresent(String.self, forKey: .function),
            times: try c.decodeIfPresent(Int.self, forKey: .times) ?? 1,
            ms: try c.decodeIfPresent(Int.self, forKey: .ms),
            retryAfter: try c.decodeIfPresent(Int.self, forKey: .retryAfter),
            afterCalls: try c.decodeIfPresent(Int.self, forKey: .afterCalls),
            status: try c.decodeIfPresent(Int.self, forKey: .status),
            errorno: try c.decodeIfPresent(String.self, forKey: .errorno),
            description: try c.decodeIfPresent(String.self, forKey: .description),
            description2: try c.decodeIfPresent(String.self, forKey: .description2),
            correction: try c.decodeIfPresent(String.self, forKey: .correction),
            recordno: try c.decodeIfPresent(String.self, forKey: .recordno),
            field: try c.decodeIfPresent(String.self, forKey: .field),
            suffix: try c.decodeIfPresent(String.self, forKey: .suffix)
        )
    }
}
