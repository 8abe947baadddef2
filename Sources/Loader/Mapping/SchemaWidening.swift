import Logging
import Shared

/// The loader's hook for schema drift: before a batch of an object is converted, `prepare` makes sure
/// every field its records carry has a typed column, so a custom field created in Intacct lands in its
/// own NULLABLE column instead of only in `_raw` — without a restart, and without a `lookup` of its own.
///
/// A new field's type comes from, in order: the mapping file (`loader.mapping_file`), the poller's
/// `ibq-field-types` header (Intacct's lookup type), else STRING (TEXT: lossless). A field the mapping
/// file excludes (`include: false`) stays in `_raw`. The widened mapping is remembered per object, so
/// the table is patched once per new field, not once per batch.
///
/// Usage from a loading loop:
/// ```swift
/// let mapping = try await widening.prepare(object: "APBILL", records: batch.map { ($0.envelope, FieldTypeHints(header: $0.header)) })
/// let converter = RowConverter(mapping: mapping)
/// ```
public actor SchemaWidening {
    private let client: BigQueryClient
    private let file: SchemaMapping?
    private let logger: Logger
    private var mappings: [String: ObjectMapping] = [:]

    public init(client: BigQueryClient, mappingFile: SchemaMapping? = nil, logger: Logger) {
        self.client = client
        self.file = mappingFile
        self.logger = logger
    }

    /// The mapping `object`'s table currently has: the mapping file applied to the catalog, plus every
    /// field added since start-up. An object outside the catalog starts with no typed fields and grows.
    public func mapping(for object: String) -> ObjectMapping {
        let name = object.uppercased()
        if let known = mappings[name] { return known }
        let base = ObjectMappings.mapping(for: name, file: file) ?? ObjectMapping(object: name, fields: [])
        mappings[name] = base
        return base
    }

    /// Widens `object`'s mapping (and table) for the fields `records` carry, and returns the mapping to
    /// convert them with. Creates the table if it does not exist yet.
    public func prepare(object: String, records: [(envelope: RecordEnvelope, hints: FieldTypeHints)]) async throws -> ObjectMapping {
        let current = mapping(for: object)
        let widened = Self.widened(current, fields: records.lazy.flatMap { record in
            record.envelope.fields.map { (name: $0.name, hint: record.hints[$0.name]) }
        }, file: file?[object: current.object])
        if widened != current {
            let change = try await client.ensureTable(widened.tableName, schema: widened.schema)
            let added = widened.fields.filter { current.field(named: $0.field) == nil }
            logger.info("new Intacct fields get columns", metadata: [
                "table": "\(widened.tableName)", "fields": "\(added.map { "\($0.field):\($0.type.columnType.rawValue)" })", "change": "\(change)",
            ])
            mappings[widened.object] = widened
        }
        return widened
    }

    /// `mapping` plus a field for every name in `fields` it does not have, typed by the mapping file, the
    /// hint, else TEXT; excluded fields are skipped. Pure, so it is tested without BigQuery.
    public static func widened(_ mapping: ObjectMapping, fields: some Sequence<(name: String, hint: IntacctFieldType?)>,
                               file: SchemaMapping.Object?) -> ObjectMapping {
        var result = mapping
        for (name, hint) in fields where result.field(named: name.uppercased()) == nil {
            let entry = file?.fields[name.uppercased()]
            if entry?.include == false { continue }
            result = result.adding(FieldMapping(name, entry?.type ?? hint ?? .text))
        }
        return result
    }
}
