import Foundation
import Kafka
import Logging
import RecordContract
import Timestamps

/// One entry of `intacct.<company>._audit`: a finished run of one stream, an application error, or a
/// row that could not be published. Built from typed values (IntacctError, Watermark), never from log text.
public struct AuditRecord: Sendable {
    public enum Kind: String, Sendable {
        /// One (entity, object) run: counts and the watermark before and after.
        case objectRun = "object_run"
        /// A whole pass over several streams (`--once`, a schedule tick, `POST /sync`).
        case run
        /// Intacct refused a request (control, authentication or result level), or retries ran out.
        case intacctError = "intacct_error"
        /// Kafka failed a stream run: a delivery, a watermark write, or a topic that could not be read.
        case kafkaError = "kafka_error"
        /// The poller itself failed a stream run (neither Intacct nor Kafka said so).
        case pollerError = "poller_error"
        /// A row without a key or a usable position; its fields are kept here so nothing is lost.
        case brokenRow = "broken_row"
    }

    public var kind: Kind
    public var runID: String
    public var entity: String
    public var object: String
    /// Ordered name → JSON literal pairs (already rendered), so the record's shape stays flat.
    public var members: [(String, JSONValue)]
    public var at: String

    public init(kind: Kind, runID: String, entity: String = "", object: String = "", members: [(String, JSONValue)] = [],
                at: String = IntacctTimestamp.iso8601(Date())) {
        self.kind = kind
        self.runID = runID
        self.entity = entity
        self.object = object
        self.members = members
        self.at = at
    }

    /// The audit key: the stream for stream-level records, the run otherwise.
    public var key: String { entity.isEmpty ? "run/\(runID)" : "\(entity)/\(object)/\(runID)" }

    public func encoded() -> Data {
        var out = JSONWriter(capacity: 512)
        out.beginObject()
        out.member("type", kind.rawValue)
        out.member("run_id", runID)
        if !entity.isEmpty { out.member("entity", entity) }
        if !object.isEmpty { out.member("object", object) }
        out.member("at", at)
        for (name, value) in members {
            out.key(name)
            value.write(into: &out)
        }
        out.endObject()
        return out.data
    }

    /// The record of a failed stream run: its kind names the system that failed, its members carry
    /// what that system said (Intacct's errorno and correction, Kafka's error code) and the stage.
    public init(failure: StreamRunFailure, runID: String, entity: String, object: String, at: String) {
        let kind: Kind = switch failure.system {
        case .intacct: .intacctError
        case .kafka: .kafkaError
        case .poller: .pollerError
        }
        self.init(kind: kind, runID: runID, entity: entity, object: object, members: Self.members(for: failure), at: at)
    }

    /// The members describing a failed stream run: the stage, then what the failing system said.
    public static func members(for failure: StreamRunFailure) -> [(String, JSONValue)] {
        var members: [(String, JSONValue)] = [("stage", .string(failure.stage.rawValue))]
        switch failure.cause {
        case let .intacct(error): members += Self.members(for: error)
        case let .kafka(error): members += Self.members(for: error)
        case let .poller(.topicReadTimedOut(topic, _)):
            members += [("code", .null), ("code_name", .null), ("topic", .string(topic)), ("partition", .null),
                        ("message", .string(failure.cause.description))]
        case .poller, .other:
            members += [("message", .string(failure.cause.description))]
        }
        return members
    }

    /// The same facts as structured log metadata, so a log line and the audit record never disagree:
    /// one key per member, null and empty members left out.
    public static func logMetadata(_ members: [(String, JSONValue)]) -> Logger.Metadata {
        members.reduce(into: [:]) { metadata, member in
            if let value = member.1.logValue { metadata[member.0] = value }
        }
    }

    /// The members describing a Kafka error: librdkafka's code and its name (null when the error is not
    /// librdkafka's), the topic and partition it concerns, and the whole message.
    public static func members(for error: KafkaError) -> [(String, JSONValue)] {
        [("code", error.code.map { .int(Int($0)) } ?? .null), ("code_name", error.codeName.map(JSONValue.string) ?? .null),
         ("topic", error.topic.map(JSONValue.string) ?? .null), ("partition", error.partition.map { .int(Int($0)) } ?? .null),
         ("message", .string(error.description))]
    }

    /// The members describing an Intacct error: the first error block's errorno, descriptions and
    /// correction, the control id, and the whole list.
    public static func members(for error: IntacctError) -> [(String, JSONValue)] {
        let first = error.details.first
        var members: [(String, JSONValue)] = [
            ("errorno", .string(first?.errorNumber ?? "")),
            ("description", .string(first?.description1 ?? "")),
            ("description2", .string(first?.description2 ?? "")),
            ("correction", .string(first?.correction ?? "")),
            ("control_id", .string(error.controlID ?? "")),
            ("retryable", .bool(error.isRetryable)),
            ("message", .string(error.description)),
        ]
        if error.details.count > 1 {
            members.append(("errors", .array(error.details.map { .string($0.description) })))
        }
        return members
    }
}

/// A JSON value for audit records.
public indirect enum JSONValue: Sendable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([(String, JSONValue)])

    var logValue: Logger.MetadataValue? {
        switch self {
        case let .string(text): text.isEmpty ? nil : .string(text)
        case let .int(number): .stringConvertible(number)
        case let .bool(flag): .stringConvertible(flag)
        case .null: nil
        case let .array(values): .array(values.compactMap(\.logValue))
        case let .object(members): .dictionary(AuditRecord.logMetadata(members))
        }
    }

    func write(into out: inout JSONWriter) {
        switch self {
        case let .string(text): out.string(text)
        case let .int(number): out.raw(String(number))
        case let .bool(flag): out.raw(flag ? "true" : "false")
        case .null: out.null()
        case let .array(values):
            out.beginArray()
            for value in values { value.write(into: &out) }
            out.endArray()
        case let .object(members):
            out.beginObject()
            for (name, value) in members {
                out.key(name)
                value.write(into: &out)
            }
            out.endObject()
        }
    }

    /// A watermark as `{"whenmodified","recordno"}`, or null.
    public static func watermark(_ value: Watermark?) -> JSONValue {
        guard let value else { return .null }
        return .object([("whenmodified", .string(value.whenModified)), ("recordno", .string(value.recordNo))])
    }
}

extension IntacctError {
    /// The control id Intacct echoed (or the request's), when the error carries one.
    public var controlID: String? {
        switch self {
        case let .controlFailed(controlID, _), let .authenticationFailed(controlID, _): controlID
        case let .resultFailed(_, _, controlID, _, _): controlID
        default: nil
        }
    }
}
