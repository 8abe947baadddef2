import Catalog

/// One Intacct field and the typed column it lands in.
public struct FieldMapping: Sendable, Equatable {
    /// Intacct's name, uppercase (`TOTALENTERED`).
    public var field: String
    public var type: IntacctFieldType
    /// BigQuery column name: the field name in lowercase (`totalentered`).
    public var column: String

    public init(_ field: String, _ type: IntacctFieldType, column: String? = nil) {
        self.field = field.uppercased()
        self.type = type
        self.column = column ?? field.lowercased()
    }

    public var tableColumn: TableColumn { TableColumn(column, type.columnType) }
}
