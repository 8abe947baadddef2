import Kafka

/// Why `replay` did nothing, in words an operator can act on; the Kafka error that told us stays a value.
public enum ReplayError: Error, Sendable, CustomStringConvertible {
    /// Loaders of the group are (or seem to be) running: they would commit over the reset.
    case loadersRunning(group: String, cause: KafkaError)
    /// The broker cannot look up offsets by timestamp (the dev broker cannot).
    case timeNotSupported(cause: KafkaError)
    /// No topic of the scope matches.
    case noTopics(group: String, pattern: String)
    case invalidTopicFilter(String)

    public var description: String {
        switch self {
        case let .loadersRunning(group, cause):
            "replay refused: loaders of consumer group \(group) appear to be running (\(cause)). Stop every loader of this group (e.g. scale the deployment to 0), then run replay again."
        case let .timeNotSupported(cause):
            "replay --from time: is not supported by this Kafka broker: it cannot look up offsets by time (\(cause)). Use --from earliest or --from offset:N instead."
        case let .noTopics(group, pattern):
            "replay: no topic matches \(pattern) for consumer group \(group); nothing to reset"
        case let .invalidTopicFilter(pattern):
            "replay: --topics \(pattern) is not a valid regular expression"
        }
    }
}
