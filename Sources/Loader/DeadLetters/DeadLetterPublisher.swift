import Foundation
import Logging
import Metrics
import Kafka
import Operations
import RecordContract

/// Publishes dead letters to `intacct.<company>._dlq` and returns only once the broker acknowledged
/// every one (idempotent producer, acks=all): the caller commits the source offsets after that, so a
/// dead letter is never lost between the source topic and the DLQ.
public final class DeadLetterPublisher: Sendable {
    public let topic: String
    private let producer: KafkaProducer
    private let logger: Logger
    /// Stamps each dead letter's `dead_lettered_at`.
    private let clock: any ServiceClock

    public init(company: String, producer: KafkaProducer, logger: Logger, clock: any ServiceClock = .system) {
        topic = Topics(company: company).deadLetters
        self.producer = producer
        self.logger = logger
        self.clock = clock
    }

    public func publish(_ letters: [DeadLetter]) async throws {
        guard !letters.isEmpty else { return }
        let now = clock.date
        let messages = letters.map { letter in
            KafkaOutgoingMessage(topic: topic, key: letter.key, value: letter.encoded(at: now), headers: [
                KafkaHeader(name: "ibq-dlq-reason", string: letter.reason.rawValue),
                KafkaHeader(name: "ibq-source", string: "\(letter.source.topic)/\(letter.source.partition)/\(letter.source.offset)"),
            ])
        }
        _ = try await producer.send(messages)
        for letter in letters {
            Counter(label: "ibq_loader_dead_letters_total", dimensions: [("reason", letter.reason.rawValue)]).increment()
            logger.warning("dead-lettered a record", metadata: Self.metadata(letter))
        }
    }

    /// The log metadata of a dead letter: each fact its own key (BigQuery's reason, location, message and
    /// the row's index included), so alerts filter on values, not on the wording of `detail`.
    static func metadata(_ letter: DeadLetter) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            "reason": "\(letter.reason.rawValue)", "detail": "\(letter.detail)", "table": "\(letter.table ?? "-")",
            "topic": "\(letter.source.topic)", "partition": "\(letter.source.partition)", "offset": "\(letter.source.offset)",
        ]
        if let key = letter.key { metadata["key"] = "\(String(decoding: key, as: UTF8.self))" }
        if let field = letter.field { metadata["field"] = "\(field)" }
        if let rejection = letter.bigQuery {
            if let reason = rejection.reason { metadata["bigquery_reason"] = "\(reason)" }
            if let location = rejection.location { metadata["bigquery_location"] = "\(location)" }
            if let index = rejection.index { metadata["bigquery_row_index"] = "\(index)" }
            if let status = rejection.status { metadata["http_status"] = "\(status)" }
            metadata["bigquery_message"] = "\(rejection.message)"
        }
        return metadata
    }
}
