/// A table or view as `tables.get` describes it.
public struct TableMetadata: Sendable {
    public var tableID: String
    /// `TABLE`, `VIEW`, `MATERIALIZED_VIEW`, `EXTERNAL`...
    public var type: String
    public var schema: TableSchema
    /// As reported; streaming-buffer rows may be missing from it for a while.
    public var numRows: Int64?

    public init(tableID: String, type: String, schema: TableSchema, numRows: Int64?) {
        self.tableID = tableID
        self.type = type
        self.schema = schema
        self.numRows = numRows
    }
}

/// What `ensureTable` had to do.
public enum TableSchemaChange: Sendable, Equatable {
    case created
    /// NULLABLE columns appended by PATCH.
    case extended([TableColumn])
    case unchanged
}
