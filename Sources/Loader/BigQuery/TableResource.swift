/// BigQuery's table resource, as much of it as the loader reads (`tables.get`) and writes
/// (`tables.insert`, and the `schema` of `tables.patch`). Members left `nil` are not sent.
struct TableResource: Codable {
    struct Reference: Codable {
        var projectId: String
        var datasetId: String
        var tableId: String
    }

    /// A column of the REST schema. `mode` is absent for NULLABLE in some answers.
    struct Field: Codable {
        var name: String
        var type: String?
        var mode: String?
        var description: String?
    }

    struct Schema: Codable {
        var fields: [Field]?
    }

    struct Partitioning: Codable {
        var type: String?
        var field: String?
    }

    struct Clustering: Codable {
        var fields: [String]?
    }

    var tableReference: Reference?
    /// `TABLE`, `VIEW`, `MATERIALIZED_VIEW`, `EXTERNAL`...
    var type: String?
    var schema: Schema?
    var timePartitioning: Partitioning?
    var clustering: Clustering?
    /// An int64, which Google's JSON sends as a string.
    var numRows: String?
}
