import Catalog

/// The default mappings: one per object of the shared `ObjectCatalog` (the sandbox-company contract,
/// `docs/sandbox-company.md`), every field typed as Intacct's `lookup` reports it. RECORDNO is INT64
/// except for GLDETAIL, whose record numbers are composite strings; AUDITHISTORY is keyed by ID; Intacct's
/// balance reports (`BalanceObjects`) are keyed by the poller's period/account strings.
public enum ObjectMappings {
    public static let all: [ObjectMapping] = (ObjectCatalog.standard.objects + [ObjectCatalog.auditHistory] + BalanceObjects.all).map(mapping(for:))

    /// The mapping for `object` (any case), or `nil` for an object nobody mapped yet.
    public static func mapping(for object: String) -> ObjectMapping? {
        byObject[object.uppercased()]
    }

    /// The mapping of a catalog object: each field becomes the column of the same name in lowercase.
    public static func mapping(for object: IntacctObject) -> ObjectMapping {
        ObjectMapping(object: object.name, fields: object.fields.map { FieldMapping($0.name, $0.type) })
    }

    /// The mapping of `object` with a mapping file applied (`loader.mapping_file`): its type overrides,
    /// its custom fields as typed columns, its exclusions dropped. Without a file, the default mapping.
    public static func mapping(for object: String, file: SchemaMapping?) -> ObjectMapping? {
        guard let file, let entry = file[object: object] else { return mapping(for: object) }
        let name = object.uppercased()
        guard let base = ObjectCatalog.standard[name] ?? (name == ObjectCatalog.auditHistory.name ? ObjectCatalog.auditHistory : nil)
            ?? BalanceObjects.all.first(where: { $0.name == name }) else {
            return nil
        }
        return mapping(for: DiscoveredSchema.merge(base, discovered: nil, mapping: entry))
    }

    private static let byObject: [String: ObjectMapping] = Dictionary(all.map { ($0.object, $0) }, uniquingKeysWith: { first, _ in first })
}
