import Timestamps

/// What getAPISession returns under `data/api`, with the zone its `sessiontimestamp` was written in.
public struct IntacctAPISession: Sendable, Equatable {
    public var sessionID: String
    /// Where later calls of this session must go; not necessarily the login endpoint.
    public var endpoint: String
    /// The entity of the session; empty at the top level.
    public var locationID: String
    /// The API user's zone, from the offset of the login response's `sessiontimestamp`: the only place
    /// Intacct states the zone its offset-less TIMESTAMP values are written in. Nil when it was absent.
    public var timeZone: IntacctTimeZone?

    public init(sessionID: String, endpoint: String, locationID: String, timeZone: IntacctTimeZone? = nil) {
        self.sessionID = sessionID
        self.endpoint = endpoint
        self.locationID = locationID
        self.timeZone = timeZone
    }
}
