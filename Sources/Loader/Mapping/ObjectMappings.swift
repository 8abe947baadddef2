import Catalog

/// Mappings for any object, with no per-object code: the built-in catalog gives defaults (every field
/// typed as Intacct's `lookup` reports it; RECORDNO is INT64 except for GLDETAIL, whose record numbers
/// are composite strings), the mapping file (`loader.mapping_file`, written by
/// `discover --write`) types any other object, and an object named by neither starts with the metadata
/// columns and grows a typed column per field from the poller's `ibq-field-types` header. Tables and
/// views of objects outside the catalog are made by `SchemaWidening` (`loader.widen_schema`, default on).
public enum ObjectMappings {
    /// The catalog's objects and Intacct's balance reports (`BalanceObjects`, keyed by the poller's
    /// period/account strings).
    public static let all: [ObjectMapping] = (ObjectCatalog.standard.objects + BalanceObjects.all).map(mapping(for:))

    /// The mapping for `object` (any case), or `nil` for an object nobody mapped yet.
    public static func mapping(for object: String) -> ObjectMapping? {
        byObject[object.uppercased()]
    }

    /// The mapping of a catalog object: each field becomes the column of the same name in lowercase.
    public static func mapping(for object: IntacctObject) -> ObjectMapping {
        ObjectMapping(object: object.name, fields: object.fields.map { FieldMapping($0.name, $0.type) })
    }

    /// The mapping of `object` with a mapping file applied (`loader.mapping_file`): its type overrides,
    /// its custom fields as typed columns, its exclusions dropped; an object only the file names is typed
    /// from the file alone. Without a file entry, the default mapping.
    public static func mapping(for object: String, file: SchemaMapping?) -> ObjectMapping? {
        guard let file, let entry = file[object: object] else { return mapping(for: object) }
        let name = object.uppercased()
        let base = BalanceObjects.all.first { $0.name == name } ?? ObjectCatalog.standard.definition(of: name)
        return mapping(for: DiscoveredSchema.merge(base, discovered: nil, mapping: entry))
    }

    private static let byObject: [String: ObjectMapping] = Dictionary(all.map { ($0.object, $0) }, uniquingKeysWith: { first, _ in first })
}
