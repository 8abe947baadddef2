import RecordContract

/// One record as Intacct sent it: fields in document order, values exactly as sent (an empty element
/// is ""). Nested elements are flattened to dotted names (`DISPLAYCONTACT.EMAIL1`).
public struct IntacctRow: Sendable, Equatable {
    public var fields: [RecordField]

    public init(fields: [RecordField]) {
        self.fields = fields
    }

    /// The value of `field`: exact name first, then case-insensitively (readByQuery and query disagree
    /// on case for some element names).
    public subscript(field: String) -> String? {
        if let exact = fields.first(where: { $0.name == field }) { return exact.value }
        let lowered = field.lowercased()
        return fields.first(where: { $0.name.lowercased() == lowered })?.value
    }
}
