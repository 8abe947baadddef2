import Kafka

/// Why a stream run stopped early: the stage it was in and the error as it was thrown, so the audit
/// record, the log line and the CLI's summary each render what they need from the value itself.
public struct StreamRunFailure: Error, Sendable, CustomStringConvertible {
    public enum Stage: String, Sendable {
        case incremental
        case auditTrailDeletes = "audit_trail_deletes"
        case reconciliation
        /// Reading a balance report (`get_trialbalance`, `get_accountbalances`) and publishing its lines.
        case balances
    }

    /// The system whose failure stopped the run: what an operator looks at first.
    public enum System: String, Sendable {
        case intacct, kafka, poller
    }

    /// The error, by the type it came as.
    public enum Cause: Sendable, CustomStringConvertible {
        case intacct(IntacctError)
        case kafka(KafkaError)
        case poller(PollerError)
        /// Anything else (a cancellation, for one): kept as thrown.
        case other(any Error)

        public init(_ error: any Error) {
            switch error {
            case let error as IntacctError: self = .intacct(error)
            case let error as KafkaError: self = .kafka(error)
            case let error as PollerError: self = .poller(error)
            default: self = .other(error)
            }
        }

        public var description: String {
            switch self {
            case let .intacct(error): error.description
            case let .kafka(error): error.description
            case let .poller(error): error.description
            case let .other(error): "\(error)"
            }
        }
    }

    public var stage: Stage
    public var cause: Cause

    public init(stage: Stage, error: any Error) {
        self.stage = stage
        cause = Cause(error)
    }

    public var system: System {
        switch cause {
        case .intacct: .intacct
        case .kafka: .kafka
        // Reading a topic to its end times out when no broker answers.
        case .poller(.topicReadTimedOut): .kafka
        // A page whose rows carry no position is what Intacct sent.
        case .poller(.pageWithoutPosition), .poller(.pageRowCountMismatch), .poller(.emptyPageWithRowsRemaining),
             .poller(.cursorDidNotMove): .intacct
        case .poller, .other: .poller
        }
    }

    public var description: String { "\(stage.rawValue): \(cause)" }
}
