/// Values of custom fields — the company's own (in `ObjectSchema`) and those added while running
/// (`POST /admin/schema/add_field`). Like every generated value they are a pure function of
/// (seed, field name, entity, index, revision), so paging and replays see the same text.
struct CustomFieldValues {
    let snapshot: CompanySnapshot

    /// Regions of the `GLDIM_REGION` dimension; other ENUM fields use `enumValues`.
    static let regions = ["NORTH", "SOUTH", "EAST", "WEST", "CENTRAL"]
    static let enumValues = ["tier_1", "tier_2", "tier_3"]

    /// The value of one custom field of one record. GLDETAIL rows repeat their GLENTRY line's values
    /// (same index, same revision), as Intacct's report projects the line.
    func value(_ field: String, _ type: FieldType, object: SandboxObject, entity: Int, index: Int) -> String {
        let source: SandboxObject = object == .GLDETAIL ? .GLENTRY : object
        let version = snapshot.version(source, entity: entity, index: index)
        let h = snapshot.layout.hash.value(Self.nameHash(field), UInt64(entity), UInt64(index), UInt64(version))
        let base = snapshot.layout.baseWhenModified(source, entity: entity, index: index)
        switch type {
        case .text: return "\(Self.prefix(field))-\(10_000 + h % 90_000)"
        case .enumeration:
            let values = field == "GLDIM_REGION" ? Self.regions : Self.enumValues
            return values[Int(h % UInt64(values.count))]
        case .integer: return String(h % 500)
        case .decimal: return formatMoney(Int64(h % 1_000_000))
        case .percent: return formatMoney(Int64(h % 10_001))
        case .boolean: return h % 3 == 0 ? "true" : "false"
        case .date: return IntacctTime.date(base - Int64(h % 400) * 86_400)
        case .timestamp: return snapshot.timestamp(base - Int64(h % 86_400))
        }
    }

    /// FNV-1a, so a field's values depend on its name and not on where it sits in the schema.
    static func nameHash(_ name: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return h
    }

    /// `CUSTOMFIELD_PO_NUMBER` → `PO`: short readable text values.
    private static func prefix(_ field: String) -> String {
        let words = field.split(separator: "_").filter { $0 != "CUSTOMFIELD" && $0 != "GLDIM" }
        return String(words.first?.prefix(4) ?? "CF")
    }
}
