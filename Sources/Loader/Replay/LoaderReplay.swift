import Foundation
import Logging
import Configuration
import Kafka

/// Moves a loader group's committed offsets back so its loaders load the topics again: after a
/// BigQuery-side loss, a dropped table or a mapping fix. Safe because every version keeps its insertId
/// and the `<table>_current` views pick one row per key, so rows loaded twice change no total.
public struct LoaderReplay: Sendable {
    public let scope: LoaderScope
    private let admin: KafkaAdmin
    private let logger: Logger

    public init(configuration: LoaderConfiguration, entity: String, logger: Logger) throws {
        guard LoaderScope.isValidIdentifier(entity) else {
            throw ConfigurationError(file: "command line", key: "--entity", problem: "must be a subsidiary id such as E100, or top (got \"\(entity)\")")
        }
        scope = entity == "_audit" ? .audit(company: configuration.company) : LoaderScope(company: configuration.company, entity: entity)
        admin = try KafkaAdmin(configuration: configuration.kafkaConfiguration(clientID: "intacct-bigquery-replay"), logger: logger)
        self.logger = logger
    }

    /// Resets the group on the scope's topics (narrowed by `topicFilter`, a regex on topic names) and
    /// returns the new offsets. Refuses while the group has members.
    public func run(from start: ReplayStart, topicFilter: String? = nil, timeout: Duration = .seconds(10)) async throws -> [KafkaTopicPartition: Int64] {
        if let topicFilter, (try? NSRegularExpression(pattern: topicFilter)) == nil { throw ReplayError.invalidTopicFilter(topicFilter) }
        let topics = try await admin.listTopics().filter { topic in
            scope.matches(topic: topic) && (topicFilter.map { topic.range(of: $0, options: .regularExpression) != nil } ?? true)
        }
        guard !topics.isEmpty else { throw ReplayError.noTopics(group: scope.groupID, pattern: topicFilter ?? scope.subscription) }
        do {
            // `.proceed`: brokers without ListGroups (the dev broker) cannot say whether the group is
            // idle; the reset then commits as the group's sole member, which fails while loaders hold
            // partitions — the refusal still happens, one step later.
            return try await admin.resetOffsets(group: scope.groupID, topics: topics, to: start.target,
                                                whenMembershipUnknown: .proceed, timeout: timeout)
        } catch let error as KafkaError {
            switch error {
            case .groupHasActiveMembers, .groupMembershipUnknown:
                throw ReplayError.loadersRunning(group: scope.groupID, cause: error)
            case .unsupportedByBroker:
                throw ReplayError.timeNotSupported(cause: error)
            default:
                throw error
            }
        }
    }
}
