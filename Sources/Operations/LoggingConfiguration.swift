import Logging

/// `logging:` in the configuration file.
public struct LoggingConfiguration: Decodable, Sendable {
    public enum Format: String, Decodable, Sendable { case text, json }

    public var level: Logger.Level = .info
    public var format: Format = .text

    public init(level: Logger.Level = .info, format: Format = .text) {
        self.level = level
        self.format = format
    }

    enum CodingKeys: String, CodingKey { case level, format }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let raw = try container.decodeIfPresent(String.self, forKey: .level) {
            guard let level = Logger.Level(rawValue: raw.lowercased()) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .level, in: container,
                    debugDescription: "must be one of trace, debug, info, notice, warning, error, critical (got \(raw))")
            }
            self.level = level
        }
        format = try container.decodeIfPresent(Format.self, forKey: .format) ?? .text
    }

    /// Installs the process-wide log handler. Call once, first thing in a subcommand's `run()`.
    public func bootstrap() {
        let level = level
        switch format {
        case .json: LoggingSystem.bootstrap { JSONLogHandler(label: $0, level: level) }
        case .text:
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
    }
}
