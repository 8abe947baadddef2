/// What the fleet knows about one Intacct object: where it lives (whole company or per subsidiary),
/// which fields to select and their types, and which field carries its money.
public struct IntacctObject: Sendable, Equatable {
    public enum Level: String, Sendable, Codable {
        /// Shared by every subsidiary (chart of accounts, dimensions): published under entity `top`.
        case top
        /// Owned by one subsidiary: read with that entity's session.
        case entity
    }

    public struct Field: Sendable, Equatable {
        public var name: String
        public var type: IntacctFieldType
        /// A company-defined field found by discovery (not part of the standard catalog).
        public var isCustom: Bool
        public init(_ name: String, _ type: IntacctFieldType, isCustom: Bool = false) {
            self.name = name
            self.type = type
            self.isCustom = isCustom
        }
    }

    /// Uppercase Intacct name, e.g. `APBILL`.
    public var name: String
    public var level: Level
    /// The record's key field: RECORDNO almost everywhere, ID for AUDITHISTORY.
    public var keyField: String
    public var fields: [Field]
    /// The field reconciliations sum (TOTALENTERED, AMOUNT, DEBITAMOUNT…), if any.
    public var amountField: String?
    /// Parent pointer for hierarchies (PARENTKEY → the parent's RECORDNO).
    public var parentKeyField: String?
    /// Not in the built-in catalog: every field `lookup` lists is selected (a catalog object selects its
    /// own fields plus custom ones). Kept through merges, so a field Intacct adds later is picked up.
    public var takesEveryListedField: Bool

    public init(name: String, level: Level, keyField: String = "RECORDNO", fields: [Field],
                amountField: String? = nil, parentKeyField: String? = nil, takesEveryListedField: Bool = false) {
        self.name = name
        self.level = level
        self.keyField = keyField
        self.fields = fields
        self.amountField = amountField
        self.parentKeyField = parentKeyField
        self.takesEveryListedField = takesEveryListedField
    }

    public var fieldNames: [String] { fields.map(\.name) }

    public func field(named name: String) -> Field? { fields.first { $0.name == name } }

    /// Whether incremental reads can filter on WHENMODIFIED.
    public var isIncremental: Bool { field(named: "WHENMODIFIED") != nil }

    /// An object without WHENMODIFIED cannot be read from a watermark: each run reads all of it (a
    /// snapshot) and its deletes can only be found by key reconciliation.
    public var readsSnapshots: Bool { !isIncremental }

    /// Not yet resolved and no fields known: every field will come from `lookup` (or the mapping file).
    public var awaitsDiscovery: Bool { fields.isEmpty }
}
