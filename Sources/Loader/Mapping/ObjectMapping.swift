/// How one Intacct object lands in BigQuery: its table, its typed columns, the metadata columns every
/// table carries, and the `<table>_current` view that keeps the latest version per key.
public struct ObjectMapping: Sendable, Equatable {
    /// Intacct object name, uppercase (`APBILL`).
    public var object: String
    public var fields: [FieldMapping]

    public init(object: String, fields: [FieldMapping]) {
        self.object = object.uppercased()
        self.fields = fields
    }

    /// Lowercase object name (`apbill`).
    public var tableName: String { object.lowercased() }
    public var currentViewName: String { tableName + "_current" }

    public func field(named name: String) -> FieldMapping? { fields.first { $0.field == name } }

    /// A copy that also types `field`, for a new Intacct field (the table grows a NULLABLE column).
    public func adding(_ field: FieldMapping) -> ObjectMapping {
        guard self.field(named: field.field) == nil else { return self }
        return ObjectMapping(object: object, fields: fields + [field])
    }

    /// Metadata columns, in the order they lead every table. `_key` is the only REQUIRED column: every
    /// row, tombstones included, has one; everything else may be absent on some version of a record.
    public static let metadataColumns: [TableColumn] = [
        TableColumn("_key", .string, .required, description: "<company>/<entity>/<OBJECT>/<RECORDNO>, the Kafka key"),
        TableColumn("_entity", .string, description: "subsidiary id, or top"),
        TableColumn("_source_modified_at", .timestamp, description: "Intacct WHENMODIFIED (or when the delete was seen)"),
        TableColumn("_content_sha256", .string),
        TableColumn("_kafka_topic", .string),
        TableColumn("_kafka_partition", .int64),
        TableColumn("_kafka_offset", .int64),
        TableColumn("_extracted_at", .timestamp),
        TableColumn("_loaded_at", .timestamp),
        TableColumn("_deleted", .bool),
        TableColumn("_raw", .json, description: "Intacct fields this mapping does not type yet, as sent"),
    ]

    /// Metadata columns then typed fields; day-partitioned on `_source_modified_at`, clustered by entity
    /// and then by Kafka coordinates, so the loader's exactly-once check (which offsets of a partition
    /// are already rows) reads only the blocks that can hold them (docs/loader.md).
    public var schema: TableSchema {
        TableSchema(
            columns: Self.metadataColumns + fields.map(\.tableColumn),
            timePartitioning: .day(field: "_source_modified_at"),
            clustering: ["_entity", "_kafka_topic", "_kafka_partition", "_kafka_offset"]
        )
    }

    /// The latest version of each key, without keys whose latest version is a delete. Ties on the source
    /// timestamp (a replay, a re-extraction) go to the later extraction, then the later Kafka offset.
    public func currentViewSQL(qualifiedTable: String) -> String {
        """
        SELECT * EXCEPT (_version) FROM (
          SELECT *, ROW_NUMBER() OVER (
            PARTITION BY _key
            ORDER BY _source_modified_at DESC, _extracted_at DESC, _kafka_offset DESC, _loaded_at DESC
          ) AS _version
          FROM \(qualifiedTable)
        ) WHERE _version = 1 AND NOT IFNULL(_deleted, FALSE)
        """
    }
}
