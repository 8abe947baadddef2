import Shared

/// The default mappings: one per object of the shared `ObjectCatalog` (the sandbox-company contract,
/// `docs/sandbox-company.md`), every field typed as Intacct's `lookup` reports it. RECORDNO is INT64
/// except for GLDETAIL, whose record numbers are composite strings; AUDITHISTORY is keyed by ID.
public enum ObjectMappings {
    public static let all: [ObjectMapping] = (ObjectCatalog.standard.objects + [ObjectCatalog.auditHistory]).map(mapping(for:))

    /// The mapping for `object` (any case), or `nil` for an object nobody mapped yet.
    public static func mapping(for object: String) -> ObjectMapping? {
        byObject[object.uppercased()]
    }

    /// The mapping of a catalog object: each field becomes the column of the same name in lowercase.
    public static func mapping(for object: IntacctObject) -> ObjectMapping {
        ObjectMapping(object: object.name, fields: object.fields.map { FieldMapping($0.name, $0.type) })
    }

    private static let byObject: [String: ObjectMapping] = Dictionary(all.map { ($0.object, $0) }, uniquingKeysWith: { first, _ in first })
}
