import Foundation
import Loader

/// What one base table holds: rows against distinct versions (key, content hash, deleted flag, source
/// modified time). The `_current` views hide a doubled version; this does not, and every scenario
/// needs the two to be equal.
struct BaseTableCount: Sendable, CustomStringConvertible {
    let table: String
    let rows: Int
    let versions: Int
    /// Distinct (topic, partition, offset, version): rows beyond these were written twice from one
    /// Kafka message (the loader's doing); the other duplicates came as separate messages (published twice).
    let messages: Int

    var duplicates: Int { rows - versions }
    var duplicatesOfOneMessage: Int { rows - messages }
    var description: String {
        duplicates == 0 ? "\(table) \(rows)" : "\(table) \(rows) rows/\(versions) versions (\(duplicatesOfOneMessage) from one message)"
    }

    /// Counts each table of `objects` (a table never created counts as empty).
    static func read(from client: BigQueryClient, objects: [String]) async throws -> [BaseTableCount] {
        var counts: [BaseTableCount] = []
        for object in objects {
            let table = object.lowercased()
            guard try await client.table(table) != nil else {
                counts.append(BaseTableCount(table: table, rows: 0, versions: 0, messages: 0))
                continue
            }
            let qualified = client.qualified(table)
            let result = try await client.query("""
                SELECT (SELECT COUNT(*) FROM \(qualified)) AS n,
                       (SELECT COUNT(*) FROM (SELECT DISTINCT _key, _content_sha256, _deleted, _source_modified_at FROM \(qualified))) AS versions,
                       (SELECT COUNT(*) FROM (SELECT DISTINCT _kafka_topic, _kafka_partition, _kafka_offset, _key, _content_sha256, _deleted,
                                                              _source_modified_at FROM \(qualified))) AS messages
                """)
            let first = result.rows.first
            counts.append(BaseTableCount(table: table, rows: Int(first?["n"].int64 ?? 0), versions: Int(first?["versions"].int64 ?? 0),
                                         messages: Int(first?["messages"].int64 ?? 0)))
        }
        return counts
    }
}
