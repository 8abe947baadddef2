/// Gateway counters, as `GET /admin/stats` reports them. Admin calls are not counted.
public struct SandboxStats: Sendable, Codable, Equatable {
    /// Gateway requests received, including those refused with 429.
    public var requests = 0
    public var inFlight = 0
    /// The most requests ever served at once: shows whether a client kept to its concurrency limit.
    public var maxInFlight = 0
    /// 429/GW-0010 answers, from the concurrency limit or an `http429` fault.
    public var rateLimited = 0
    public var sessionsCreated = 0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case requests
        case inFlight = "in_flight", maxInFlight = "max_in_flight", rateLimited = "rate_limited", sessionsCreated = "sessions_created"
    }
}
