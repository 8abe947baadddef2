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
            guard let date = IntacctTimestamp.parseRFC3339(argument.dropFirst(5)) else { return nil }
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
