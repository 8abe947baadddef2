import Catalog

/// One field of an object as `lookup` describes it (`data/Type/Fields/Field`).
public struct IntacctFieldDefinition: Sendable, Equatable {
    /// The field name used in select lists (`ID`).
    public var id: String
    public var label: String
    /// `DATATYPE` as sent: TEXT, INTEGER, DECIMAL, PERCENT, BOOLEAN, DATE, TIMESTAMP, ENUM…
    public var dataType: String
    /// `dataType` read as a catalog type; anything unknown is text, which loses nothing.
    public var type: IntacctFieldType
    public var isRequired: Bool
    public var isReadOnly: Bool
    /// `ISCUSTOM`: a field the company created (custom fields, GL dimensions), not one Intacct ships.
    public var isCustom: Bool
    /// Everything the server said about the field, as sent.
    public var attributes: IntacctRow

    public init(row: IntacctRow) {
        id = (row["ID"] ?? "").uppercased()
        label = row["LABEL"] ?? ""
        dataType = row["DATATYPE"] ?? ""
        type = IntacctFieldType(lookupDataType: dataType)
        isRequired = Self.flag(row["REQUIRED"])
        isReadOnly = Self.flag(row["READONLY"])
        isCustom = Self.flag(row["ISCUSTOM"])
        attributes = row
    }

    /// The definition as the shared catalog keeps it.
    public var discoveredField: DiscoveredField {
        DiscoveredField(name: id, label: label, type: type, isCustom: isCustom, isRequired: isRequired, isReadOnly: isReadOnly)
    }

    /// Intacct writes flags as `true`/`false` (older objects: `T`/`F`).
    private static func flag(_ text: String?) -> Bool {
        guard let text = text?.lowercased() else { return false }
        return text == "true" || text == "t" || text == "1"
    }
}
