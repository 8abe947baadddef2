import Foundation
import Loader

/// What one base table holds: rows against distinct versions (key, content hash, deleted flag, source
/// modified time). The `_current` views hide a doubled version; this does not, and every scenario
/// needs the two to be equal.
struct BaseTableCount: Sendable, CustomStringConvertible {
    let table: String
    let rows: Int
    let versions: Int

    var duplicates: Int { rows - versions }
    var description: String { duplicates == 0 ? "\(table) \(rows)" : "\(table) \(rows) rows/\(versions) versions" }

    /// Counts each table of `objects` (a table never created counts as empty).
    static func read(from client: BigQueryClient, objects: [String]) async throws -> [BaseTableCount] {
        var counts: [BaseTableCount] = []
        for object in objects {
            let table = object.lowercased()
            guard try await client.table(table) != nil else {
                counts.append(BaseTableCount(table: table, rows: 0, versions: 0))
                continue
            }
            let qualified = client.qualified(table)
            let result = try await client.query("""
                SELECT (SELECT COUNT(*) FROM \(qualified)) AS n,
                       (SELECT COUNT(*) FROM (SELECT DISTINCT _key, _content_sha256, _deleted, _source_modified_at FROM \(qualified))) AS versions
                """)
            counts.append(BaseTableCount(table: table, rows: Int(result.rows.first?["n"].int64 ?? 0),
                                         versions: Int(result.rows.first?["versions"].int64 ?? 0)))
        }
        return counts
    }
}
