import Foundation
import Logging
import Kafka

/// The watermarks of every stream, loaded from `intacct.<company>._state` at start-up and written back
/// there (awaiting the broker's acknowledgement) each time a page of records was acknowledged.
public actor WatermarkStore {
    private let producer: KafkaProducer
    private let topic: String
    private var values: [String: Watermark] = [:]

    public init(producer: KafkaProducer, topic: String) {
        self.producer = producer
        self.topic = topic
    }

    /// Reads `_state` to its end and keeps the latest value per key. Values that do not decode are
    /// ignored: starting a stream over is safe (the loader is idempotent), trusting garbage is not.
    public func load(using reader: TopicSnapshotReader) async throws {
        let latest = try await reader.latestValues(topic: topic)
        var loaded: [String: Watermark] = [:]
        for (key, data) in latest {
            if let value = Watermark.decode(data), value.key == key { loaded[key] = value }
        }
        values = loaded
    }

    /// The stored watermark of one stream.
    public func current(entity: String, stream: String) -> Watermark? {
        values[Watermark.key(entity: entity, stream: stream)]
    }

    /// Every stored watermark.
    public var all: [Watermark] { Array(values.values) }

    /// Publishes `watermark` and returns once Kafka acknowledged it; only then is it the current value.
    public func store(_ watermark: Watermark) async throws {
        _ = try await producer.send(topic: topic, key: watermark.key, value: watermark.encoded())
        values[watermark.key] = watermark
    }
}
