import Foundation
import RecordContract

/// What a snapshot stream last published: record number → content hash, for the streams that have no
/// WHENMODIFIED to keep a watermark by — objects read whole each run, and balance reports. A run sends
/// only the lines whose content changed since, so re-reading a snapshot publishes nothing new and the
/// base tables hold each version once.
///
/// Kept in `_state` under `<entity>/<stream>/PUBLISHED`, written after Kafka acknowledged the run's
/// records. Bounded by `capacity` entries; a snapshot larger than that is sent whole each run (the
/// loader's `_current` views stay right), which is said in the log. Losing the value only means the
/// next run sends everything once more.
public struct PublishedSnapshot: Sendable, Equatable {
    public static let capacity = 50_000

    public var entity: String
    public var stream: String
    public private(set) var hashes: [String: String]

    public init(entity: String, stream: String, hashes: [String: String] = [:]) {
        self.entity = entity
        self.stream = stream
        self.hashes = hashes
    }

    /// The `_state` key.
    public var key: String { Self.key(entity: entity, stream: stream) }

    public static func key(entity: String, stream: String) -> String { "\(entity)/\(stream)/PUBLISHED" }

    /// Whether this exact version was the last one published for `recordNo`.
    public func contains(recordNo: String, contentSHA256: String) -> Bool { hashes[recordNo] == contentSHA256 }

    /// Whether every entry fits: a larger snapshot is not kept (and is sent whole each run).
    public var fits: Bool { hashes.count <= Self.capacity }

    public mutating func record(recordNo: String, contentSHA256: String) { hashes[recordNo] = contentSHA256 }

    public func encoded() -> Data {
        var out = JSONWriter(capacity: 64 + hashes.count * 96)
        out.beginObject()
        out.member("entity", entity)
        out.member("published_stream", stream)
        out.key("hashes")
        out.beginObject()
        for (recordNo, hash) in hashes.sorted(by: { $0.key < $1.key }) { out.member(recordNo, hash) }
        out.endObject()
        out.endObject()
        return out.data
    }

    /// Reads a value written by `encoded()`; nil for anything else (watermarks share the topic).
    public static func decode(_ data: Data) -> PublishedSnapshot? {
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let entity = root["entity"] as? String, let stream = root["published_stream"] as? String,
              let hashes = root["hashes"] as? [String: String] else { return nil }
        return PublishedSnapshot(entity: entity, stream: stream, hashes: hashes)
    }
}
