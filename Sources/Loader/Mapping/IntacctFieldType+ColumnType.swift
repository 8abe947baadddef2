import Catalog

extension IntacctFieldType {
    /// The BigQuery column type for this Intacct type. DECIMAL and PERCENT → NUMERIC (exact: 29 integer and
    /// 9 fractional digits, so money never goes through a float).
    public var columnType: ColumnType {
        switch self {
        case .text, .enumeration: .string
        case .integer: .int64
        case .decimal, .percent: .numeric
        case .boolean: .bool
        case .date: .date
        case .timestamp: .timestamp
        }
    }
}
