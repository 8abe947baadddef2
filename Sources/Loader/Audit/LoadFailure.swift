import Foundation
import Logging
import Kafka
import RecordContract

/// A worker's flush failed and it stopped consuming: the audit-topic record of it (and so an `_audit`
/// row), typed by the system that failed — `bigquery_error` (BigQuery refused or did not answer, or
/// the token endpoint refused the key), `kafka_error` (the dead-letter topic did not acknowledge) or
/// `loader_error` (anything else) — with that system's own facts as members, never a parsed message.
public struct LoadFailure: Sendable {
    /// The audit `type`.
    public enum Kind: String, Sendable {
        case bigQuery = "bigquery_error"
        case kafka = "kafka_error"
        case loader = "loader_error"
    }

    /// The failure, sorted by the system it came from; what logs, `/readyz` and the audit record are built from.
    public enum Cause: Sendable {
        case bigQuery(BigQueryError)
        case kafka(KafkaError)
        case other(String)

        public init(_ error: any Error) {
            switch error {
            case let error as BigQueryError: self = .bigQuery(error)
            case let error as KafkaError: self = .kafka(error)
            default: self = .other(String(describing: error))
            }
        }

        /// Who failed, for a person: "BigQuery", "Kafka" or "the loader".
        public var system: String {
            switch self {
            case .bigQuery: "BigQuery"
            case .kafka: "Kafka"
            case .other: "the loader"
            }
        }

        /// Structured log metadata: the failing system's own facts, one key each.
        public var logMetadata: Logger.Metadata {
            switch self {
            case let .bigQuery(error):
                return error.logMetadata
            case let .kafka(error):
                var metadata: Logger.Metadata = ["error_system": "kafka", "error_message": "\(error.description)"]
                if let code = error.codeName { metadata["kafka_code"] = "\(code)" }
                if let topic = error.topic { metadata["kafka_topic"] = "\(topic)" }
                if let partition = error.partition { metadata["kafka_partition"] = "\(partition)" }
                return metadata
            case let .other(text):
                return ["error_system": "loader", "error_message": "\(text)"]
            }
        }
    }

    public var cause: Cause
    public var worker: String
    public var entity: String
    public var at: Date

    public init(_ error: any Error, worker: String, entity: String, at: Date = Date()) {
        cause = Cause(error)
        self.worker = worker
        self.entity = entity
        self.at = at
    }

    public var kind: Kind {
        switch cause {
        case .bigQuery: .bigQuery
        case .kafka: .kafka
        case .other: .loader
        }
    }

    /// `{"type":"bigquery_error","source":"loader","run_id","entity","at", ...}` plus, for BigQuery,
    /// `operation`, `error_kind`, `http_status`, `reason`, `location`, `message`, `retryable`, and the
    /// first failed row's `row_index`/`row_reason`; for Kafka, `code`, `code_name`, `topic`, `partition`, `message` (as the poller writes them).
    public func message(company: String) -> KafkaOutgoingMessage {
        var out = JSONWriter(capacity: 512)
        out.beginObject()
        out.member("type", kind.rawValue)
        out.member("source", "loader")
        out.member("run_id", worker)
        out.member("entity", entity)
        out.member("at", RowConverter.microsecondTimestamp(at))
        switch cause {
        case let .bigQuery(error):
            out.member("operation", error.operation)
            out.member("error_kind", error.kind.rawValue)
            out.nullableMember("http_status", error.status)
            out.nullableMember("reason", error.reason)
            out.nullableMember("location", error.location)
            out.member("message", error.message)
            out.nullableMember("body_excerpt", error.bodyExcerpt)
            out.key("retryable")
            out.raw(error.isRetryable ? "true" : "false")
            if let row = error.rowErrors.first {
                out.nullableMember("rows_failed", error.rowErrors.count)
                out.nullableMember("row_index", row.index)
                out.nullableMember("row_reason", row.reason)
            }
        case let .kafka(error):
            // The poller's kafka_error records carry the same members, so `_audit` reads them one way.
            out.nullableMember("code", error.code.map(Int.init))
            out.nullableMember("code_name", error.codeName)
            out.nullableMember("topic", error.topic)
            out.nullableMember("partition", error.partition.map(Int.init))
            out.member("message", error.description)
        case let .other(text):
            out.member("message", text)
        }
        out.endObject()
        return KafkaOutgoingMessage(topic: Topics(company: company).audit,
                                    key: "loader/\(entity)/\(worker)/\(kind.rawValue)", value: out.data)
    }

    /// Publishes the record when the worker has an audit producer (`audit: true`). A failure to publish
    /// is logged, not thrown: the audit trail must not turn one outage into two.
    public func publish(to producer: KafkaProducer?, company: String, logger: Logger) async {
        guard let producer else { return }
        do { _ = try await producer.send([message(company: company)]) } catch {
            logger.warning("could not publish a load failure to the audit topic", metadata: [
                "audit_type": "\(kind.rawValue)", "publish_error": "\(error)",
            ])
        }
    }
}
