import Foundation

/// The rows of a finished query, typed by the result schema.
public struct QueryResult: Sendable {
    public var columns: [QueryColumn]
    public var rows: [QueryRow]
    public var jobID: String?

    public init(columns: [QueryColumn], rows: [QueryRow], jobID: String? = nil) {
        self.columns = columns
        self.rows = rows
        self.jobID = jobID
    }
}

/// A result column: name and type as BigQuery reported them.
public struct QueryColumn: Sendable, Equatable {
    public var name: String
    public var type: ColumnType
}

/// One result row; values in column order, also reachable by name.
public struct QueryRow: Sendable {
    public var values: [QueryValue]
    let index: [String: Int]

    public subscript(_ column: String) -> QueryValue {
        guard let position = index[column.lowercased()], position < values.count else { return .null }
        return values[position]
    }

    public subscript(_ position: Int) -> QueryValue { values[position] }
}

/// A decoded cell of the REST `f`/`v` row format.
public enum QueryValue: Sendable, Equatable {
    case null
    case string(String)
    case int64(Int64)
    case float64(Double)
    /// NUMERIC / BIGNUMERIC exactly as BigQuery sent it (e.g. `"12345.010000000"`); never through Double.
    case numeric(String)
    case bool(Bool)
    /// Microseconds since the epoch, UTC.
    case timestamp(microseconds: Int64)
    /// `YYYY-MM-DD`.
    case date(String)
    /// JSON text.
    case json(String)
    /// Anything this client does not type (RECORD, GEOGRAPHY, TIME...), as text.
    case other(String)

    public var isNull: Bool { self == .null }

    /// NUMERIC as `Decimal` (exact for NUMERIC's 38 digits); also converts INT64.
    public var decimal: Decimal? {
        switch self {
        case let .numeric(text): Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
        case let .int64(value): Decimal(value)
        default: nil
        }
    }

    public var int64: Int64? { if case let .int64(value) = self { value } else { nil } }
    public var bool: Bool? { if case let .bool(value) = self { value } else { nil } }
    public var double: Double? { if case let .float64(value) = self { value } else { nil } }

    /// STRING, DATE, JSON and NUMERIC as their text; other kinds `nil`.
    public var string: String? {
        switch self {
        case let .string(text), let .date(text), let .json(text), let .numeric(text), let .other(text): text
        default: nil
        }
    }

    public var date: Date? {
        if case let .timestamp(micros) = self { return Date(timeIntervalSince1970: Double(micros) / 1_000_000) }
        return nil
    }

    /// A NUMERIC's text without trailing fractional zeros (`"12.010000000"` → `"12.01"`), for comparisons.
    public var canonicalNumeric: String? {
        guard case var .numeric(text) = self else { return nil }
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }

    /// Decodes one `v` by the column type. TIMESTAMP arrives as integer microseconds when the request asked
    /// for `useInt64Timestamp` (and always from the emulator), or as float seconds (`"1.7698608E9"`) otherwise.
    static func decode(_ raw: RESTValue?, as type: ColumnType) -> QueryValue {
        guard let raw, let text = raw.text else { return .null }
        switch raw {
        case .array, .object:
            // RECORD / REPEATED cells are nested values; keep them as JSON text rather than guess.
            return .other(text)
        default: break
        }
        switch type {
        case .string: return .string(text)
        case .int64: return Int64(text).map(QueryValue.int64) ?? .other(text)
        case .float64: return Double(text).map(QueryValue.float64) ?? .other(text)
        case .numeric, .bigNumeric: return .numeric(text)
        case .bool: return .bool(text.lowercased() == "true")
        case .date: return .date(text)
        case .json: return .json(text)
        case .timestamp:
            if let micros = Int64(text) { return .timestamp(microseconds: micros) }
            if let seconds = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) {
                let micros = NSDecimalNumber(decimal: seconds * 1_000_000).int64Value
                return .timestamp(microseconds: micros)
            }
            return .other(text)
        case .other: return .other(text)
        }
    }
}
