/// The field types Intacct's `lookup` reports, and the BigQuery column type each becomes.
public enum IntacctFieldType: String, Sendable, CaseIterable {
    case text = "TEXT"
    case enumeration = "ENUM"
    case integer = "INTEGER"
    case decimal = "DECIMAL"
    case boolean = "BOOLEAN"
    case date = "DATE"
    case timestamp = "TIMESTAMP"

    /// DECIMAL → NUMERIC (exact, 29 integer and 9 fractional digits: money never goes through a float).
    public var columnType: ColumnType {
        switch self {
        case .text, .enumeration: .string
        case .integer: .int64
        case .decimal: .numeric
        case .boolean: .bool
        case .date: .date
        case .timestamp: .timestamp
        }
    }
}
