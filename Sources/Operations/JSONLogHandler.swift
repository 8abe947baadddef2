import RecordContract
import Timestamps
import Foundation
import Logging

/// One JSON object per line on stderr: what log shippers (Cloud Logging, Loki, Datadog) ingest without
/// parsing rules. Metadata values are rendered as strings.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let write: @Sendable (String) -> Void

    public init(label: String, level: Logger.Level, write: @escaping @Sendable (String) -> Void = JSONLogHandler.standardError) {
        self.label = label
        self.logLevel = level
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let level = event.level, message = event.message
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let explicit = event.metadata { merged.merge(explicit) { $1 } }
        if let error = event.error { merged["error"] = "\(error)" }
        var out = JSONWriter(capacity: 256)
        out.beginObject()
        out.member("ts", IntacctTimestamp.iso8601(Date()))
        out.member("level", level.rawValue)
        out.member("logger", label)
        out.member("msg", message.description)
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) { out.member(key, value.description) }
        out.endObject()
        write(String(decoding: out.bytes, as: UTF8.self))
    }

    public static let standardError: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
