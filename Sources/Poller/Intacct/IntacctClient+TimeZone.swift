import Timestamps

extension IntacctClient {
    /// The zone Intacct writes `entity`'s times in: the `intacct.timezone` setting when there is one
    /// (it wins: an operator may know better than a session, e.g. a user whose preference changed),
    /// else the offset of the entity's session, opening one if needed. A session that stated no offset
    /// leaves UTC, which is what the poller assumed before it learned zones.
    public func timeZone(entity: String?) async throws -> IntacctTimeZone {
        if let configured = configuration.timeZone { return configured }
        return try await session(entity: entity).timeZone ?? .utc
    }
}
