import Foundation

/// A table as the loader declares it: typed columns, time partitioning and clustering. Converts to and
/// from the REST `schema` JSON, so a declared schema can be compared with (and merged into) the live one.
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

    /// The `{"fields":[...]}` object of the REST API.
    var restFields: [[String: Any]] { columns.map(\.restJSON) }

    /// The table resource for `tables.insert`.
    func restTable(project: String, dataset: String, table: String) -> [String: Any] {
        var body: [String: Any] = [
            "tableReference": ["projectId": project, "datasetId": dataset, "tableId": table],
            "schema": ["fields": restFields],
        ]
        if let timePartitioning {
            var partitioning: [String: Any] = ["type": "DAY"]
            if case let .day(field?) = timePartitioning { partitioning["field"] = field }
            body["timePartitioning"] = partitioning
        }
        if !clustering.isEmpty { body["clustering"] = ["fields": clustering] }
        return body
    }

    /// Reads the REST table resource's schema, partitioning and clustering.
    static func fromREST(_ table: [String: Any]) -> TableSchema {
        let fields = ((table["schema"] as? [String: Any])?["fields"] as? [[String: Any]]) ?? []
        let columns = fields.compactMap(TableColumn.init(rest:))
        var partitioning: TimePartitioning?
        if let raw = table["timePartitioning"] as? [String: Any] {
            partitioning = .day(field: raw["field"] as? String)
        }
        let clustering = ((table["clustering"] as? [String: Any])?["fields"] as? [String]) ?? []
        return TableSchema(columns: columns, timePartitioning: partitioning, clustering: clustering)
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

    var restJSON: [String: Any] {
        var json: [String: Any] = ["name": name, "type": type.rawValue, "mode": mode.rawValue]
        if let description { json["description"] = description }
        return json
    }

    init?(rest: [String: Any]) {
        guard let name = rest["name"] as? String else { return nil }
        self.name = name
        type = ColumnType(restName: rest["type"] as? String ?? "STRING")
        mode = ColumnMode(rawValue: (rest["mode"] as? String ?? "NULLABLE").uppercased()) ?? .nullable
        description = rest["description"] as? String
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
