import Foundation

/// A table as the loader declares it: typed columns, time partitioning and clustering. Converts to and
/// from the REST table resource, so a declared schema can be compared with (and merged into) the live one.
public struct TableSchema: Sendable, Equatable {
    public var columns: [TableColumn]
    public var timePartitioning: TimePartitioning?
    /// Up to four column names; BigQuery sorts storage blocks by them.
    public var clustering: [String]

    public init(columns: [TableColumn], timePartitioning: TimePartitioning? = nil, clustering: [String] = []) {
        self.columns = columns
        self.timePartitioning = timePartitioning
        self.clustering = clustering
    }

    public func column(named name: String) -> TableColumn? {
        columns.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }
    }

    /// Columns of `self` that `existing` lacks (BigQuery column names are case-insensitive).
    public func columnsMissing(from existing: [TableColumn]) -> [TableColumn] {
        let present = Set(existing.map { $0.name.lowercased() })
        return columns.filter { !present.contains($0.name.lowercased()) }
    }

    /// The table resource for `tables.insert`.
    func restTable(project: String, dataset: String, table: String) -> TableResource {
        var resource = TableResource(
            tableReference: .init(projectId: project, datasetId: dataset, tableId: table),
            schema: .init(fields: columns.map(\.restField))
        )
        if case let .day(field)? = timePartitioning { resource.timePartitioning = .init(type: "DAY", field: field) }
        if !clustering.isEmpty { resource.clustering = .init(fields: clustering) }
        return resource
    }

    /// Reads the REST table resource's schema, partitioning and clustering.
    init(rest table: TableResource) {
        self.init(columns: (table.schema?.fields ?? []).map(TableColumn.init(rest:)),
                  timePartitioning: table.timePartitioning.map { .day(field: $0.field) },
                  clustering: table.clustering?.fields ?? [])
    }
}

/// Day partitioning, on a DATE/TIMESTAMP column or (field `nil`) on ingestion time.
public enum TimePartitioning: Sendable, Equatable {
    case day(field: String?)
}

/// One column: name, type, mode.
public struct TableColumn: Sendable, Equatable {
    public var name: String
    public var type: ColumnType
    public var mode: ColumnMode
    public var description: String?

    public init(_ name: String, _ type: ColumnType, _ mode: ColumnMode = .nullable, description: String? = nil) {
        self.name = name
        self.type = type
        self.mode = mode
        self.description = description
    }

    var restField: TableResource.Field {
        TableResource.Field(name: name, type: type.rawValue, mode: mode.rawValue, description: description)
    }

    init(rest: TableResource.Field) {
        name = rest.name
        type = ColumnType(restName: rest.type ?? "STRING")
        mode = ColumnMode(rawValue: (rest.mode ?? "NULLABLE").uppercased()) ?? .nullable
        description = rest.description
    }
}

/// BigQuery column types the loader declares (standard SQL names).
public enum ColumnType: Sendable, Hashable {
    case string, numeric, bigNumeric, date, timestamp, bool, int64, float64, json
    /// A type this client does not model (RECORD, GEOGRAPHY...), kept by name so merges preserve it.
    case other(String)

    public var rawValue: String {
        switch self {
        case .string: "STRING"
        case .numeric: "NUMERIC"
        case .bigNumeric: "BIGNUMERIC"
        case .date: "DATE"
        case .timestamp: "TIMESTAMP"
        case .bool: "BOOL"
        case .int64: "INT64"
        case .float64: "FLOAT64"
        case .json: "JSON"
        case let .other(name): name
        }
    }

    /// Accepts the legacy names the API answers with (INTEGER, FLOAT, BOOLEAN, BIGDECIMAL).
    public init(restName: String) {
        switch restName.uppercased() {
        case "STRING": self = .string
        case "NUMERIC", "DECIMAL": self = .numeric
        case "BIGNUMERIC", "BIGDECIMAL": self = .bigNumeric
        case "DATE": self = .date
        case "TIMESTAMP": self = .timestamp
        case "BOOL", "BOOLEAN": self = .bool
        case "INT64", "INTEGER": self = .int64
        case "FLOAT64", "FLOAT": self = .float64
        case "JSON": self = .json
        case let other: self = .other(other)
        }
    }
}

/// REPEATED is not used by the loader's flat rows.
public enum ColumnMode: String, Sendable {
    case nullable = "NULLABLE"
    case required = "REQUIRED"
    case repeated = "REPEATED"
}
