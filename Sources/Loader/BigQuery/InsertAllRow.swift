import Foundation

/// One row for `tabledata.insertAll`: its dedup id and its JSON object, already rendered (the loader
/// renders rows once with `JSONWriter`, so a retry re-sends the same bytes).
public struct InsertAllRow: Sendable, Equatable {
    /// Best-effort dedup key (BigQuery keeps it about a minute); see `InsertID`.
    public var insertID: String
    /// A JSON object whose members are the columns.
    public var json: Data

    public init(insertID: String, json: Data) {
        self.insertID = insertID
        self.json = json
    }
}
