/// The Kafka topic names of one company, the only place they are spelled: one topic per (entity, object)
/// and the side topics. Lowercase, as Kafka topic names are case-sensitive and every writer and reader
/// must agree.
public struct Topics: Sendable, Hashable {
    /// The company as configured (record keys and envelopes carry it so); topic names lowercase it.
    public let company: String

    public init(company: String) { self.company = company }

    /// `intacct.<company>.`: the start of every topic of the company.
    public var prefix: String { "intacct.\(company.lowercased())." }

    /// `intacct.<company>.<entity>.<object>`: the records of one object of one subsidiary (entity `top`
    /// for objects shared by the whole company).
    public func records(entity: String, object: String) -> String { "\(prefix)\(entity.lowercased()).\(object.lowercased())" }

    /// `intacct.<company>._state`: the poller's watermarks, compacted.
    public var state: String { prefix + "_state" }

    /// `intacct.<company>._audit`: poll runs, application errors and load summaries.
    public var audit: String { prefix + "_audit" }

    /// `intacct.<company>._dlq`: what the loader could not load, with the reason.
    public var deadLetters: String { prefix + "_dlq" }

    /// A librdkafka regex subscription (leading `^`) to every record topic of `entity`, including ones
    /// created later. The entity is anchored between dots, so no other subsidiary's topics match.
    public func recordsSubscription(entity: String) -> String { "^intacct\\.\(company.lowercased())\\.\(entity.lowercased())\\.[a-z_]+$" }

    /// A librdkafka regex subscription (leading `^`) to the audit topic alone.
    public var auditSubscription: String { "^intacct\\.\(company.lowercased())\\._audit$" }

    /// The entity and object of a record topic `intacct.<company>.<entity>.<object>`; nil for any other
    /// name (a side topic has one part fewer).
    public static func recordStream(of topic: String) -> (company: Substring, entity: Substring, object: Substring)? {
        let parts = topic.split(separator: ".", maxSplits: 4, omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "intacct" else { return nil }
        return (parts[1], parts[2], parts[3])
    }

    /// Topic settings for everything the poller writes: compacted so the latest version of every key
    /// stays forever, and replayable from the start (no time-based deletion).
    public static let compactedConfig = ["cleanup.policy": "compact", "retention.ms": "-1"]

    /// Topic settings for the side topics that are a history, not a latest state (`_audit`, `_dlq`): every
    /// message is kept, never compacted away, because their keys repeat (one per worker and table, one per
    /// record) and each message is its own event.
    public static let historyConfig = ["cleanup.policy": "delete", "retention.ms": "-1"]
}
