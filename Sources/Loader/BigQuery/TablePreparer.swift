import Foundation
import Logging

/// Creates the dataset, each table and its `<table>_current` view the first time a worker writes to
/// it, and the dimension views once their tables exist. Remembers what it prepared so the insert path
/// costs nothing afterwards; `forget` makes the next write prepare again (a table dropped under a
/// running loader is recreated instead of its rows being dead-lettered as "not found").
public actor TablePreparer {
    private let client: BigQueryClient
    private let logger: Logger
    private var datasetReady = false
    private var prepared: Set<String> = []

    public init(client: BigQueryClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func isPrepared(_ table: String) -> Bool { prepared.contains(table) }

    public func forget(_ table: String) {
        prepared.remove(table)
        datasetReady = false
    }

    /// Makes sure `table` can take rows. Throws BigQuery's error (the caller treats it as an outage).
    public func prepare(_ table: String) async throws {
        if prepared.contains(table) { return }
        if !datasetReady {
            try await client.ensureDataset()
            datasetReady = true
        }
        if table == AuditTable.name {
            try await client.ensureTable(table, schema: AuditTable.schema)
        } else {
            guard let mapping = ObjectMappings.mapping(for: table) else { return }
            let change = try await client.ensureTable(mapping.tableName, schema: mapping.schema)
            try await client.createOrReplaceView(mapping.currentViewName,
                                                 selecting: mapping.currentViewSQL(qualifiedTable: client.qualified(mapping.tableName)))
            logger.info("prepared table", metadata: ["table": "\(table)", "change": "\(change)"])
            try await prepareViews(after: table)
        }
        prepared.insert(table)
    }

    /// Creates the dimension views whose tables and views now all exist. `table`'s own `_current` view
    /// exists by now; another table's may not yet (loaders prepare tables concurrently, and this actor
    /// interleaves at every await), and then that table's preparation creates the view instead: each
    /// preparation creates its own relations before it looks for the others', so the last one sees them all.
    /// A view that cannot be created is logged, never fatal: the rows are what matter, the views are
    /// conveniences over them.
    private func prepareViews(after table: String) async throws {
        var present: Set<String> = [table + "_current"]
        for view in DimensionViews.dependents(of: table) {
            var missing = false
            for required in view.requires where !present.contains(required) {
                if try await client.table(required) == nil { missing = true }
            }
            if missing { continue }
            do {
                try await client.createOrReplaceView(view.name, selecting: view.sql { [client] in client.qualified($0) })
                logger.info("created view", metadata: ["view": "\(view.name)"])
                present.insert(view.name)
            } catch let error as BigQueryError where !error.isRetryable {
                logger.error("could not create view", metadata: error.logMetadata.merging(["view": "\(view.name)"]) { $1 })
            }
        }
    }
}
