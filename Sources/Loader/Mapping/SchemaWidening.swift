import Logging
import Catalog
import Kafka
import RecordContract

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
    /// Tables whose columns were made to match `mappings` in this process.
    private var ensured: Set<String> = []
    private var datasetReady = false

    public init(client: BigQueryClient, mappingFile: SchemaMapping? = nil, logger: Logger) {
        self.client = client
        self.file = mappingFile
        self.logger = logger
    }

    /// The mapping `object`'s table currently has: the mapping file applied to the catalog, plus every
    /// field added since start-up. An object neither the catalog nor the file knows starts with no typed
    /// fields and grows from the poller's type hints: the loader needs no code per object.
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
        try await prepare(object: object, fields: records.flatMap { record in
            record.envelope.fields.map { (name: $0.name, hint: record.hints[$0.name]) }
        })
    }

    /// The same from field names and hints alone: the table gets a column for every field the mapping
    /// lacks. The first call for a table also makes its columns match the mapping (a mapping file may
    /// type fields the default mapping does not know).
    public func prepare(object: String, fields: [(name: String, hint: IntacctFieldType?)]) async throws -> ObjectMapping {
        let current = mapping(for: object)
        let widened = Self.widened(current, fields: fields, file: file?[object: current.object])
        guard widened != current || !ensured.contains(widened.tableName) else { return current }
        if !datasetReady {
            // The first batch may reach here before the table writer created the dataset.
            try await client.ensureDataset()
            datasetReady = true
        }
        let change = try await client.ensureTable(widened.tableName, schema: widened.schema)
        if !ensured.contains(widened.tableName), ObjectMappings.mapping(for: widened.object) == nil {
            // TablePreparer makes the views of catalog objects; any other object gets its view with its table.
            try await client.createOrReplaceView(widened.currentViewName,
                                                 selecting: widened.currentViewSQL(qualifiedTable: client.qualified(widened.tableName)))
        }
        let added = widened.fields.filter { current.field(named: $0.field) == nil }
        if !added.isEmpty {
            logger.info("new Intacct fields get columns", metadata: [
                "table": "\(widened.tableName)", "fields": "\(added.map { "\($0.field):\($0.type.columnType.rawValue)" })", "change": "\(change)",
            ])
        }
        mappings[widened.object] = widened
        ensured.insert(widened.tableName)
        return widened
    }

    /// For the loader's poll loop: reads only the `ibq-field-types` headers (the poller names every field
    /// outside the standard catalog there), so a batch is not decoded twice. Returns the mappings that
    /// changed, for `MessageRouter.updating`, even when another object failed.
    ///
    /// A retryable BigQuery failure (an outage, a 5xx) is returned as `retry`: the worker must not route
    /// these messages yet, since a new object would have no table (its records would dead-letter) and a
    /// known one would leave its new fields' columns empty for good. A permanent refusal is logged and the
    /// fields stay in `_raw` (a new object's records dead-letter as `unknown_object`, replayable).
    public func prepare(messages: [KafkaMessage]) async -> (changed: [ObjectMapping], retry: (any Error)?) {
        var hintsByObject: [String: Set<String>] = [:]
        // Runs on the poll loop's own task for every message: the object of a topic is worked out once.
        // Messages come in runs of one partition, so the last topic is checked before any hashing; and
        // read in place (by index), not copied out of the array one by one.
        var objectOfTopic: [String: String?] = [:]
        var last: (topic: String, object: String?)?
        for index in messages.indices {
            let topic = messages[index].topic
            let object: String?
            if let last, last.topic == topic {
                object = last.object
            } else if let known = objectOfTopic[topic] {
                object = known
            } else {
                let parts = topic.split(separator: ".", omittingEmptySubsequences: false)
                object = parts.count == 4 && parts[0] == "intacct" ? parts[3].uppercased() : nil
                objectOfTopic[topic] = object
            }
            last = (topic, object)
            guard let object else { continue }
            guard let header = messages[index].header(RecordEnvelope.Header.fieldTypes)?.value else {
                if hintsByObject[object] == nil { hintsByObject[object] = [] }
                continue
            }
            hintsByObject[object, default: []].insert(String(decoding: header, as: UTF8.self))
        }
        var changed: [ObjectMapping] = []
        var retry: (any Error)?
        for (object, headers) in hintsByObject.sorted(by: { $0.key < $1.key }) {
            let before = mapping(for: object)
            var fields: [(name: String, hint: IntacctFieldType?)] = []
            for header in headers { fields += FieldTypeHints(header: header).types.map { (name: $0.key, hint: $0.value) } }
            fields.sort { $0.name < $1.name }
            // With a mapping file the table must be made to match it once, even before a new field arrives;
            // an object no mapping knows needs its table (and the router a converter) even when its first
            // messages are tombstones, which carry no field types.
            let unmapped = ObjectMappings.mapping(for: object, file: file) == nil
            let firstSight = (file != nil || unmapped) && !ensured.contains(before.tableName)
            guard firstSight || Self.widened(before, fields: fields, file: file?[object: before.object]) != before else { continue }
            do {
                let after = try await prepare(object: object, fields: fields)
                if after != before || firstSight { changed.append(after) }
            } catch let error as BigQueryError where !error.isRetryable {
                logger.warning("BigQuery refused the columns for new fields; they stay in _raw",
                               metadata: LoadFailure.Cause(error).logMetadata.merging(["object": "\(object)"]) { $1 })
            } catch {
                if retry == nil { retry = error }
            }
        }
        return (changed, retry)
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
