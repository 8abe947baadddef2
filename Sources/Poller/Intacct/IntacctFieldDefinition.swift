/// One field of an object as `lookup` describes it (`data/Type/Fields/Field`).
public struct IntacctFieldDefinition: Sendable, Equatable {
    /// The field name used in select lists (`ID`).
    public var id: String
    public var label: String
    /// TEXT, INTEGER, DECIMAL, PERCENT, BOOLEAN, DATE, TIMESTAMP, ENUM…
    public var dataType: String
    /// Everything the server said about the field, as sent.
    public var attributes: IntacctRow

    public init(row: IntacctRow) {
        id = row["ID"] ?? ""
        label = row["LABEL"] ?? ""
        dataType = row["DATATYPE"] ?? ""
        attributes = row
    }
}
