import CRdKafka
import Foundation

/// Everything that can go wrong talking to Kafka, with what an operator needs to act on it.
///
/// Errors that librdkafka reports keep librdkafka's own code name (`_QUEUE_FULL`, `UNKNOWN_TOPIC_OR_PART`,
/// `_MSG_TIMED_OUT`…) so they can be looked up in its documentation, plus the topic and partition they
/// concern where there is one.
public enum KafkaError: Error, Sendable, CustomStringConvertible {
    /// librdkafka refused a configuration property (unknown name, invalid value).
    case configuration(property: String, message: String)
    /// librdkafka or the broker answered with an error code.
    case rdkafka(code: Int32, name: String, message: String, topic: String?, partition: Int32?)
    /// The broker does not implement something this operation needs (e.g. the mock cluster and
    /// offsets-for-times, ListGroups or CreateTopics).
    case unsupportedByBroker(feature: String, detail: String)
    /// An offset reset was refused because consumers are still in the group; they would overwrite it.
    case groupHasActiveMembers(group: String, members: Int, state: String)
    /// Whether the group has members could not be established, and the caller asked to refuse then.
    case groupMembershipUnknown(group: String, reason: String)
    /// The topic does not exist on the cluster.
    case unknownTopic(String)
    /// The client was closed; create a new one.
    case closed

    /// librdkafka's numeric error code, when the error came from librdkafka.
    public var code: Int32? {
        if case .rdkafka(let code, _, _, _, _) = self { return code }
        return nil
    }

    /// librdkafka's name for the error code, when the error came from librdkafka.
    public var codeName: String? {
        if case .rdkafka(_, let name, _, _, _) = self { return name }
        return nil
    }

    /// The topic the error concerns, where there is one.
    public var topic: String? {
        switch self {
        case let .rdkafka(_, _, _, topic, _): topic
        case let .unknownTopic(topic): topic
        default: nil
        }
    }

    /// The partition the error concerns, where there is one.
    public var partition: Int32? {
        if case .rdkafka(_, _, _, _, let partition) = self { return partition }
        return nil
    }

    public var description: String {
        switch self {
        case .configuration(let property, let message):
            return "Kafka configuration property '\(property)' rejected: \(message)"
        case .rdkafka(_, let name, let message, let topic, let partition):
            var place = ""
            if let topic { place = " [\(topic)\(partition.map { "/\($0)" } ?? "")]" }
            return "Kafka error \(name)\(place): \(message)"
        case .unsupportedByBroker(let feature, let detail):
            return "\(feature) is not supported by this broker: \(detail)"
        case .groupHasActiveMembers(let group, let members, let state):
            return "consumer group '\(group)' has \(members) active member(s) (state \(state)); stop its consumers first"
        case .groupMembershipUnknown(let group, let reason):
            return "could not verify that consumer group '\(group)' is idle: \(reason)"
        case .unknownTopic(let topic):
            return "Kafka topic '\(topic)' does not exist"
        case .closed:
            return "Kafka client is closed"
        }
    }

    /// Builds an error from a librdkafka response code.
    static func from(_ code: rd_kafka_resp_err_t, message: String? = nil, topic: String? = nil,
                     partition: Int32? = nil) -> KafkaError {
        .rdkafka(code: code.rawValue, name: String(cString: rd_kafka_err2name(code)),
                 message: message ?? String(cString: rd_kafka_err2str(code)), topic: topic, partition: partition)
    }

    /// Builds an error from (and destroys) a librdkafka error object.
    static func consuming(_ error: OpaquePointer, topic: String? = nil, partition: Int32? = nil) -> KafkaError {
        defer { rd_kafka_error_destroy(error) }
        return .rdkafka(code: rd_kafka_error_code(error).rawValue, name: String(cString: rd_kafka_error_name(error)),
                        message: String(cString: rd_kafka_error_string(error)), topic: topic, partition: partition)
    }

    /// True for librdkafka's "this broker/API version cannot do that".
    var isUnsupportedFeature: Bool {
        if case .rdkafka(let code, _, _, _, _) = self {
            return code == RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE.rawValue
                || code == RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION.rawValue
                || code == RD_KAFKA_RESP_ERR_INVALID_REQUEST.rawValue
        }
        return false
    }

    /// True when the group coordinator refused a request because of membership or an ongoing
    /// rebalance; such a commit can be retried later and loses nothing but time.
    public var isMembershipRejection: Bool {
        guard case .rdkafka(let code, _, _, _, _) = self else { return false }
        return [RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID, RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION,
                RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS].contains { $0.rawValue == code }
    }
}
