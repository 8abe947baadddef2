/// What getAPISession returns under `data/api`.
public struct IntacctAPISession: Sendable, Equatable {
    public var sessionID: String
    /// Where later calls of this session must go; not necessarily the login endpoint.
    public var endpoint: String
    /// The entity of the session; empty at the top level.
    public var locationID: String

    public init(sessionID: String, endpoint: String, locationID: String) {
        self.sessionID = sessionID
        self.endpoint = endpoint
        self.locationID = locationID
    }
}
