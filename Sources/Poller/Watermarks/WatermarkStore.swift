import Foundation
import Logging
import Kafka

/// The watermarks of every stream, loaded from `intacct.<company>._state` at start-up and written back
/// there (awaiting the broker's acknowledgement) each time a page of records was acknowledged; and what
/// each snapshot stream (no WHENMODIFIED: snapshot objects, balance reports) last published.
public actor WatermarkStore {
    private let producer: KafkaProducer
    private let topic: String
    private var values: [String: Watermark] = [:]
    private var snapshots: [String: PublishedSnapshot] = [:]

    public init(producer: KafkaProducer, topic: String) {
        self.producer = producer
        self.topic = topic
    }

    /// Reads `_state` to its end and keeps the latest value per key. Values that do not decode are
    /// ignored: starting a stream over is safe (the loader is idempotent), trusting garbage is not.
    public func load(using reader: TopicSnapshotReader) async throws {
        let latest = try await reader.latestValues(topic: topic)
        var loaded: [String: Watermark] = [:]
        var published: [String: PublishedSnapshot] = [:]
        for (key, data) in latest {
            if let value = Watermark.decode(data), value.key == key {
                loaded[key] = value
            } else if let value = PublishedSnapshot.decode(data), value.key == key {
                published[key] = value
            }
        }
        values = loaded
        snapshots = published
    }

    /// What a snapshot stream last published (empty when nothing is stored).
    public func published(entity: String, stream: String) -> PublishedSnapshot {
        snapshots[PublishedSnapshot.key(entity: entity, stream: stream)] ?? PublishedSnapshot(entity: entity, stream: stream)
    }

    /// Publishes `snapshot` and returns once Kafka acknowledged it. One larger than its capacity is not
    /// stored: the stream then sends its whole snapshot each run.
    public func store(_ snapshot: PublishedSnapshot) async throws {
        guard snapshot.fits else { return }
        _ = try await producer.send(topic: topic, key: snapshot.key, value: snapshot.encoded())
        snapshots[snapshot.key] = snapshot
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
