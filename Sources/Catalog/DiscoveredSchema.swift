/// What `lookup` reported for some objects, and the one place where the static catalog, discovery and
/// the user's mapping file are merged into the fields a stream selects and a table types.
///
/// Merge order (later wins): the standard catalog's fields → discovery's type for those fields (Intacct's
/// own definition beats the built-in guess; fields lookup does not list dropped) plus discovered
/// **custom** fields and the `TRX_` twins of selected amounts → the mapping file (type overrides,
/// `include: true` adds a field, `include: false` drops one). Standard, non-custom fields
/// that lookup lists but the catalog does not select stay out unless the mapping file includes them:
/// real objects have hundreds.
public struct DiscoveredSchema: Sendable, Equatable, Codable {
    /// Uppercase object name → its fields in lookup order.
    public var objects: [String: [DiscoveredField]]

    public init(objects: [String: [DiscoveredField]] = [:]) { self.objects = objects }

    public subscript(object name: String) -> [DiscoveredField]? { objects[name.uppercased()] }

    /// `object` as it should be read and loaded: see the type's merge order. When lookup answered
    /// (`discovered` not nil) it is the truth about this company: a catalog field it does not list is not
    /// selected (selecting it would fail the whole query with "invalid field"), and an object the catalog
    /// does not know takes every field it lists. The mapping file's `level`, `key_field` and
    /// `amount_field` win; its `include: false` never drops the key field or WHENMODIFIED (keys and
    /// watermarks depend on them).
    public static func merge(_ object: IntacctObject, discovered: [DiscoveredField]?, mapping: SchemaMapping.Object?) -> IntacctObject {
        var merged = object
        if let level = mapping?.level { merged.level = level }
        if let key = mapping?.keyField { merged.keyField = key }
        if let amount = mapping?.amountField { merged.amountField = amount }
        let byName = Dictionary((discovered ?? []).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        if let discovered {
            if object.takesEveryListedField {
                merged.fields = discovered.map { IntacctObject.Field($0.name, $0.type, isCustom: $0.isCustom) }
            } else {
                merged.fields = object.fields.compactMap { field in
                    byName[field.name].map { IntacctObject.Field(field.name, $0.type, isCustom: $0.isCustom) }
                }
                for field in discovered where field.isCustom && merged.field(named: field.name) == nil {
                    merged.fields.append(IntacctObject.Field(field.name, field.type, isCustom: true))
                }
                merged.fields += transactionCurrencyFields(of: merged, discovered: discovered)
            }
        }
        if let mapping {
            let protected: Set<String> = [merged.keyField, "WHENMODIFIED"]
            for name in mapping.fields.keys.sorted() {
                let entry = mapping.fields[name]!
                let upper = name.uppercased()
                if entry.include == false {
                    if !protected.contains(upper) { merged.fields.removeAll { $0.name == upper } }
                    continue
                }
                if let index = merged.fields.firstIndex(where: { $0.name == upper }) {
                    if let type = entry.type { merged.fields[index].type = type }
                } else if entry.include == true || entry.custom == true {
                    // A field this company's lookup does not list is never asked for, whatever the file says.
                    if discovered != nil && byName[upper] == nil { continue }
                    let type = entry.type ?? byName[upper]?.type ?? .text
                    merged.fields.append(IntacctObject.Field(upper, type, isCustom: entry.custom ?? byName[upper]?.isCustom ?? false))
                }
            }
        }
        // Reconciliation compares totals in one currency: the base amount, never the transaction one.
        if let amount = merged.amountField, amount.hasPrefix(transactionPrefix),
           merged.field(named: String(amount.dropFirst(transactionPrefix.count))) != nil {
            merged.amountField = String(amount.dropFirst(transactionPrefix.count))
        }
        // Reconciliation and hierarchies must not name a field the select list lacks.
        if let amount = merged.amountField, merged.field(named: amount) == nil { merged.amountField = nil }
        if let parent = merged.parentKeyField, merged.field(named: parent) == nil { merged.parentKeyField = nil }
        return merged
    }

    /// Intacct's prefix for an amount in the transaction's currency (`TRX_TOTALENTERED` beside the base
    /// currency's `TOTALENTERED`).
    public static let transactionPrefix = "TRX_"

    /// For a catalog object: the transaction-currency twin of every selected field lookup lists
    /// (`TRX_AMOUNT` for `AMOUNT`), and then CURRENCY and BASECURR, which say what the two amounts are in.
    /// Both amounts are moved and typed; without the currency codes neither could be read.
    static func transactionCurrencyFields(of object: IntacctObject, discovered: [DiscoveredField]) -> [IntacctObject.Field] {
        let listed = Dictionary(discovered.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var added: [IntacctObject.Field] = []
        for field in object.fields where !field.name.hasPrefix(transactionPrefix) {
            if let twin = listed[transactionPrefix + field.name], object.field(named: twin.name) == nil {
                added.append(IntacctObject.Field(twin.name, twin.type, isCustom: twin.isCustom))
            }
        }
        guard !added.isEmpty else { return [] }
        for name in ["CURRENCY", "BASECURR"] where object.field(named: name) == nil {
            if let code = listed[name] { added.append(IntacctObject.Field(code.name, code.type, isCustom: code.isCustom)) }
        }
        return added
    }

    /// The whole catalog merged: every object of `catalog`, with what was discovered for it.
    public func catalog(merging catalog: ObjectCatalog = .standard, mapping: SchemaMapping? = nil) -> ObjectCatalog {
        ObjectCatalog(objects: catalog.objects.map {
            Self.merge($0, discovered: self[object: $0.name], mapping: mapping?[object: $0.name])
        })
    }

    /// A mapping file that reproduces this discovery: each object's level, key and money field, the
    /// merged fields included (with their types), and every other field lookup listed written with
    /// `include: false`, ready to be switched on. Objects outside `catalog` get every listed field.
    public func mappingFile(catalog: ObjectCatalog = .standard, objects names: [String], mapping existing: SchemaMapping? = nil) -> SchemaMapping {
        var mapping = SchemaMapping()
        for name in names {
            let base = catalog.definition(of: name, mapping: existing?[object: name])
            let discovered = self[object: name] ?? []
            let merged = Self.merge(base, discovered: discovered, mapping: nil)
            var fields: [String: SchemaMapping.Field] = [:]
            let labels = Dictionary(discovered.map { ($0.name, $0.label) }, uniquingKeysWith: { first, _ in first })
            for field in merged.fields {
                fields[field.name] = SchemaMapping.Field(type: field.type, label: labels[field.name], custom: field.isCustom, include: true)
            }
            for field in discovered where fields[field.name] == nil {
                fields[field.name] = SchemaMapping.Field(type: field.type, label: field.label, custom: field.isCustom, include: false)
            }
            mapping.objects[base.name] = SchemaMapping.Object(level: merged.level, keyField: merged.keyField,
                                                              amountField: merged.amountField, fields: fields)
        }
        return mapping
    }
}
