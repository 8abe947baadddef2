/// A parsed response envelope: control, authentication and one result per function, in request order.
/// Application failures are recorded here as data; `IntacctClient` turns them into `IntacctError`s.
public struct IntacctResponse: Sendable {
    /// `response/control`.
    public struct Control: Sendable, Equatable {
        public var status = ""
        public var senderID = ""
        public var controlID = ""
        /// `response/errormessage`, present when status is failure.
        public var errors: [IntacctErrorDetail] = []
    }

    /// `response/operation/authentication` (+ `operation/errormessage`).
    public struct Authentication: Sendable, Equatable {
        public var status = ""
        public var userID = ""
        public var companyID = ""
        public var locationID = ""
        /// ISO-8601 with offset, as sent.
        public var sessionTimestamp = ""
        /// The projected idle timeout, ISO-8601 with offset, as sent.
        public var sessionTimeout = ""
        public var errors: [IntacctErrorDetail] = []
    }

    /// Attributes of `result/data`.
    public struct DataAttributes: Sendable, Equatable {
        public var listType = ""
        public var count: Int?
        public var totalCount: Int?
        public var numRemaining: Int?
        public var offset: Int?
        /// readByQuery's cursor; empty when nothing remains.
        public var resultID = ""
    }

    /// One `result`.
    public struct Result: Sendable {
        /// success, failure or aborted.
        public var status = ""
        public var function = ""
        public var controlID = ""
        public var errors: [IntacctErrorDetail] = []
        public var data: DataAttributes?
        /// Rows in document order (empty when the reader handed them to a row handler instead).
        public var rows: [IntacctRow] = []
        /// Rows seen, whether kept or handed out.
        public var rowCount = 0
        /// getAPISession's `data/api`.
        public var api: IntacctAPISession?

        public var succeeded: Bool { status == "success" }
    }

    public var control = Control()
    public var authentication: Authentication?
    public var results: [Result] = []
    /// XML-invalid characters removed from the body before parsing.
    public var sanitizedCharacters = 0

    public init() {}
}
