import Foundation
import Kafka
import Operations

/// What the poller's `/readyz` answers: whether Kafka and Intacct's gateway can be reached.
///
/// Kafka is asked for the cluster's metadata (bounded by `kafkaTimeout`); the outcome is kept for
/// `kafkaInterval`, so probes that come often, or at once, cost one request. Intacct is judged by the
/// client's latest exchange and probed only when it has been quiet (see `IntacctReachability`), so
/// readiness never spends the company's request allowance.
public actor PollerReadiness {
    /// Why the poller cannot do its job.
    public enum Problem: Sendable, CustomStringConvertible {
        /// No broker answered a metadata request in time.
        case kafkaUnreachable(any Error)
        /// The gateway gave no answer (transport error, 5xx, an HTML error page).
        case intacctUnreachable(IntacctError)

        public var description: String {
            switch self {
            case let .kafkaUnreachable(error): "Kafka unreachable: \(error)"
            case let .intacctUnreachable(error): "Intacct unreachable: \(error)"
            }
        }
    }

    /// One metadata request to Kafka; throws when no broker answers.
    public typealias KafkaProbe = @Sendable () async throws -> Void

    private struct KafkaCheck {
        var at: ContinuousClock.Instant
        var failure: (any Error)?
    }

    private let kafka: KafkaProbe
    private let intacct: IntacctClient
    private let kafkaInterval: Duration
    private let clock: any ServiceClock
    private var kafkaChecked: KafkaCheck?
    private var kafkaProbing: Task<(any Error)?, Never>?

    public init(kafka: @escaping KafkaProbe, intacct: IntacctClient, kafkaInterval: Duration = .seconds(5), clock: any ServiceClock = .system) {
        self.kafka = kafka
        self.intacct = intacct
        self.kafkaInterval = kafkaInterval
        self.clock = clock
    }

    /// Readiness through `admin`'s metadata requests.
    public init(admin: KafkaAdmin, intacct: IntacctClient, kafkaTimeout: Duration = .seconds(2), kafkaInterval: Duration = .seconds(5),
                clock: any ServiceClock = .system) {
        self.init(kafka: { _ = try await admin.listTopics(timeout: kafkaTimeout) }, intacct: intacct, kafkaInterval: kafkaInterval,
                  clock: clock)
    }

    /// Everything that keeps the poller from working now; empty when it is ready.
    public func problems() async -> [Problem] {
        async let intacctFailure = intacct.unreachable()
        let kafkaFailure = await kafkaUnreachable()
        var problems: [Problem] = []
        if let kafkaFailure { problems.append(.kafkaUnreachable(kafkaFailure)) }
        if let failure = await intacctFailure { problems.append(.intacctUnreachable(failure)) }
        return problems
    }

    /// `problems()` as the operations server's readiness check shows them.
    public func reasons() async -> [String] {
        await problems().map(\.description)
    }

    private func kafkaUnreachable() async -> (any Error)? {
        if let kafkaChecked, clock.now - kafkaChecked.at < kafkaInterval { return kafkaChecked.failure }
        if let kafkaProbing { return await kafkaProbing.value }
        let kafka = kafka
        let task = Task { () -> (any Error)? in
            do {
                try await kafka()
                return nil
            } catch {
                return error
            }
        }
        kafkaProbing = task
        let failure = await task.value
        kafkaProbing = nil
        kafkaChecked = KafkaCheck(at: clock.now, failure: failure)
        return failure
    }
}
