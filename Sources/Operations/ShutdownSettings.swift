/// `shutdown:` in a worker's configuration file (the poller's and the loader's alike).
///
/// ```yaml
/// shutdown: { grace_seconds: 20 }
/// ```
///
/// `grace_seconds` bounds how long a worker takes to stop after SIGTERM or SIGINT. The default stays well
/// under Kubernetes' 30-second termination grace period, so a worker leaves on its own terms (with a log
/// line saying what it could not finish) instead of being killed mid-sentence by SIGKILL.
public struct ShutdownSettings: Decodable, Sendable, Equatable {
    public static let defaultGraceSeconds = 20.0
    /// Longer than any orchestrator waits; a larger value is a typo, not a wish.
    public static let maximumGraceSeconds = 3600.0

    public var graceSeconds: Double

    public init(graceSeconds: Double = ShutdownSettings.defaultGraceSeconds) {
        self.graceSeconds = graceSeconds
    }

    /// The bound as a duration.
    public var grace: Duration { .milliseconds(Int64((graceSeconds * 1000).rounded())) }

    enum CodingKeys: String, CodingKey { case graceSeconds = "grace_seconds" }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        graceSeconds = try container.decodeIfPresent(Double.self, forKey: .graceSeconds) ?? Self.defaultGraceSeconds
        guard graceSeconds > 0, graceSeconds <= Self.maximumGraceSeconds else {
            throw DecodingError.dataCorruptedError(
                forKey: .graceSeconds, in: container,
                debugDescription: "must be more than 0 and at most \(Int(Self.maximumGraceSeconds)) seconds (got \(graceSeconds))")
        }
    }

    /// The `shutdown:` section of a whole configuration file; every other section is ignored.
    public struct Section: Decodable, Sendable {
        public var shutdown: ShutdownSettings

        enum CodingKeys: String, CodingKey { case shutdown }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            shutdown = try container.decodeIfPresent(ShutdownSettings.self, forKey: .shutdown) ?? ShutdownSettings()
        }
    }
}
