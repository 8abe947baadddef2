import RecordContract

/// The topic names of one company: one per (entity, object) plus the side topics.
public struct PollerTopics: Sendable {
    public var company: String

    public init(company: String) { self.company = company }

    /// `intacct.<company>.<entity>.<object>`.
    public func records(entity: String, object: String) -> String {
        RecordKey.topic(company: company, entity: entity, object: object)
    }

    /// `intacct.<company>._state`: watermarks, compacted.
    public var state: String { "intacct.\(company)._state".lowercased() }

    /// `intacct.<company>._audit`: poll runs and application errors.
    public var audit: String { "intacct.\(company)._audit".lowercased() }

    /// Topic settings for everything the poller writes: compacted so the latest version of every key
    /// stays forever, and replayable from the start (no time-based deletion).
    public static let compactedConfig = ["cleanup.policy": "compact", "retention.ms": "-1"]
}
