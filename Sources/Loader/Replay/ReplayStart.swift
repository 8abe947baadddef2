import Foundation
import Kafka
import Timestamps

/// Where `replay` moves a group: `earliest`, `offset:N` or `time:<ISO 8601>`, as typed on the command line.
public enum ReplayStart: Sendable, Equatable, CustomStringConvertible {
    case earliest
    case offset(Int64)
    case time(Date)

    /// Parses the `--from` argument; `nil` when it is none of the three forms.
    public init?(argument: String) {
        if argument == "earliest" {
            self = .earliest
        } else if argument.hasPrefix("offset:"), let offset = Int64(argument.dropFirst(7)), offset >= 0 {
            self = .offset(offset)
        } else if argument.hasPrefix("time:") {
            let text = String(argument.dropFirst(5))
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime]
            let fractional = ISO8601DateFormatter()
            fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            guard let date = formatter.date(from: text) ?? fractional.date(from: text) else { return nil }
            self = .time(date)
        } else {
            return nil
        }
    }

    public var target: KafkaOffsetResetTarget {
        switch self {
        case .earliest: .earliest
        case let .offset(offset): .offset(offset)
        case let .time(date): .time(date)
        }
    }

    public var description: String {
        switch self {
        case .earliest: "earliest"
        case let .offset(offset): "offset:\(offset)"
        case let .time(date): "time:\(IntacctTimestamp.iso8601(date))"
        }
    }
}
