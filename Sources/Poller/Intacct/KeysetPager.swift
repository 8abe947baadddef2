import Foundation
import RecordContract
import Timestamps

/// Pages through one object in (time field, key field) order by keyset: every page after the first asks
/// for `TIME > t OR (TIME = t AND KEY > k)` from the last row seen, at offset 0.
///
/// Offset paging would skip rows: a record modified while the read is under way moves to the end of the
/// order, every later row shifts one place left, and the next offset jumps over one of them. A keyset
/// page starts after the last row actually seen, so shifts cannot hide anything. The condition is sent as
/// `TIME >= t AND (TIME > t OR KEY > k)`, which keeps the time range a top-level conjunct the gateway can
/// use as an index range. The next page is fetched while the caller handles the current one.
struct KeysetPager {
    struct Page {
        var rows: [IntacctRow]
        var totalCount: Int?
        var numRemaining: Int
        /// Time and key of the last row with both, where the next page starts.
        var last: (time: String, key: String)?
    }

    let client: IntacctClient
    let object: String
    let fields: [String]
    /// nil: key order alone, for objects without WHENMODIFIED (read whole each run).
    let timeField: String?
    let keyField: String
    /// Conditions every page carries (AUDITHISTORY's object type and access mode).
    let conditions: [QueryFilter]
    let entity: String?
    let pageSize: Int

    /// Calls `handle` for each page in order; stops after the last page or when `handle` returns false.
    /// - Parameter start: `(time, key)` to start strictly after, or `(time, nil)` to start at `time`
    ///   inclusive, or nil for everything.
    func run(start: (time: String, key: String?)?, handle: (Page) async throws -> Bool) async throws {
        var next = prefetch(filter(start))
        do {
            while true {
                let page = try await next.value
                let more = page.numRemaining > 0 && page.rows.count > 0 && page.last != nil
                if more, let last = page.last { next = prefetch(filter((last.time, last.key))) }
                let goOn = try await handle(page)
                if !more { return }
                if !goOn {
                    next.cancel()
                    return
                }
            }
        } catch {
            next.cancel()
            throw error
        }
    }

    private func filter(_ start: (time: String, key: String?)?) -> QueryFilter? {
        var parts = conditions
        if let start, let timeField {
            parts.append(.greaterThanOrEqualTo(timeField, start.time))
            if let key = start.key { parts.append(.or(.greaterThan(timeField, start.time), .greaterThan(keyField, key))) }
        } else if let key = start?.key {
            parts.append(.greaterThan(keyField, key))
        }
        return QueryFilter.allOf(parts)
    }

    private func prefetch(_ filter: QueryFilter?) -> Task<Page, Error> {
        let client = client, object = object, fields = fields, timeField = timeField, keyField = keyField
        let entity = entity, pageSize = pageSize
        return Task {
            let query = IntacctQuery(object: object, fields: fields, filter: filter,
                                     order: (timeField.map { [$0] } ?? []).map { .init($0) } + [.init(keyField)])
            let started = ContinuousClock.now
            let result = try await client.call(.query(query, pageSize: pageSize, offset: 0), entity: entity).result
            PollerMetrics.intacctLatency(function: "query", object: object, since: started)
            var last: (String, String)?
            for row in result.rows.reversed() {
                guard let key = row[keyField], !key.isEmpty else { continue }
                guard let timeField else {
                    last = ("", key)
                    break
                }
                if let time = row[timeField], IntacctTimestamp.parse(time) != nil {
                    last = (time, key)
                    break
                }
            }
            if last == nil, !result.rows.isEmpty {
                throw PollerError.pageWithoutPosition(entity: entity ?? RecordKey.topLevelEntity, object: object, rows: result.rows.count)
            }
            return Page(rows: result.rows, totalCount: result.data?.totalCount,
                        numRemaining: result.data?.numRemaining ?? 0, last: last)
        }
    }
}
