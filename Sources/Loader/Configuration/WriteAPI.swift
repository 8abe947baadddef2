/// `bigquery.write_api`: which BigQuery API a worker writes rows with.
public enum WriteAPI: String, Decodable, Sendable, Equatable, CaseIterable {
    /// The Storage Write API over gRPC: rows encoded from the envelope bytes to protobuf, appended to a
    /// PENDING stream and committed atomically per batch.
    case storage
    /// `tabledata.insertAll` over REST: for endpoints without gRPC. Half the Write API's price per GiB
    /// is not the only difference: a batch is not atomic here (see docs/loader.md, "Exactly once").
    case insertAll = "insert_all"
}
