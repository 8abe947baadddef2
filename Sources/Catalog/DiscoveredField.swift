/// One field of an Intacct object as schema discovery (`lookup`) reported it.
public struct DiscoveredField: Sendable, Equatable, Codable {
    /// Uppercase field name, as used in select lists.
    public var name: String
    public var label: String
    public var type: IntacctFieldType
    /// A field the company created (custom field, GL dimension) rather than one Intacct ships.
    public var isCustom: Bool
    public var isRequired: Bool
    public var isReadOnly: Bool

    public init(name: String, label: String = "", type: IntacctFieldType, isCustom: Bool = false,
                isRequired: Bool = false, isReadOnly: Bool = false) {
        self.name = name.uppercased()
        self.label = label
        self.type = type
        self.isCustom = isCustom
        self.isRequired = isRequired
        self.isReadOnly = isReadOnly
    }

    enum CodingKeys: String, CodingKey {
        case name, label, type, isCustom = "custom", isRequired = "required", isReadOnly = "read_only"
    }
}
