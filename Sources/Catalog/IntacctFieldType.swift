/// A field's data type as Intacct's `lookup` reports it (`DATATYPE`), and the BigQuery column type that
/// holds it losslessly.
public enum IntacctFieldType: String, Sendable, Codable, CaseIterable {
    case text = "TEXT"
    case enumeration = "ENUM"
    case integer = "INTEGER"
    case decimal = "DECIMAL"
    case percent = "PERCENT"
    case boolean = "BOOLEAN"
    case date = "DATE"
    case timestamp = "TIMESTAMP"

    /// Reads `lookup`'s DATATYPE; anything unknown is kept as text rather than guessed.
    public init(lookupDataType: String) {
        self = IntacctFieldType(rawValue: lookupDataType.uppercased()) ?? .text
    }

    /// Money and percentages go to NUMERIC so totals stay exact to the cent.
    public var bigQueryType: String {
        switch self {
        case .text, .enumeration: "STRING"
        case .integer: "INT64"
        case .decimal, .percent: "NUMERIC"
        case .boolean: "BOOL"
        case .date: "DATE"
        case .timestamp: "TIMESTAMP"
        }
    }
}
