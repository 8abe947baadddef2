import Foundation
import Catalog
import RecordContract
import Timestamps

/// Pages through one object in (time field, key field) order by keyset: every page after the first asks
/// for `TIME > t OR (TIME = t AND KEY > k)` from the greatest row seen, at offset 0.
///
/// Offset paging would skip rows: a record modified while the read is under way moves to the end of the
/// order, every later row shifts one place left, and the next offset jumps over one of them. A keyset
/// page starts after the last row actually seen, so shifts cannot hide anything. The condition is sent as
/// `TIME >= t AND (TIME > t OR KEY > k)`, which keeps the time range a top-level conjunct the gateway can
/// use as an index range. The next page is fetched while the caller handles the current one.
///
/// Pages are checked before anyone sees them, because recordings of real traffic showed each of these
/// failing quietly: a page whose rows do not add up to its own `count` (rows named other than its
/// `listtype` are dropped by the reader), an empty page with rows remaining, and a page that does not
/// move past the one before it (a gateway ignoring the keyset condition would be read forever). The
/// position is the greatest (time, key) of the page's rows, not its last row, so a gateway that does not
/// honour the order cannot move a watermark backwards or past rows not read.
struct KeysetPager {
    /// A place in (time, key) order.
    struct Position: Sendable {
        var time: String
        var date: Date
        var key: String

        func isAfter(_ other: Position) -> Bool {
            if date != other.date { return date > other.date }
            return RecordNumberOrder.compare(key, other.key) > 0
        }
    }

    struct Page {
        var rows: [IntacctRow]
        var totalCount: Int?
        var numRemaining: Int
        /// The greatest time and key among rows with both: where the next page starts.
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
    /// The poller's bound on pages held; when set, every page handed to `handle` holds one page of it,
    /// which the caller gives back once done with the page (for a record stream: once acknowledged).
    var budget: PageBudget? = nil

    /// Calls `handle` for each page in order; stops after the last page or when `handle` returns false.
    /// The page is `inout` so that a handler can let go of its rows once it no longer needs them (before
    /// waiting on anything), as they are most of a page's memory.
    /// - Parameter start: `(time, key)` to start strictly after, or `(time, nil)` to start at `time`
    ///   inclusive, or nil for everything.
    func run(start: (time: String, key: String?)?, handle: (inout Page) async throws -> Bool) async throws {
        await budget?.take()
        // A first page's size is unknown: it queues behind streams known to have more than a page left.
        var next: Task<(Page, Position?), Error>? = prefetch(filter(start), after: nil, priority: pageSize)
        while next != nil {
            // Nothing here may hold a handled page while this stream waits for the budget below: that
            // page gave its share back once acknowledged, so with every stream waiting, each holding one,
            // memory would grow with the number of streams and not with the budget. A finished task keeps
            // its result for as long as it is referenced, so the task is let go as soon as it is read,
            // and the page lives only in the scope that hands it over.
            let more: Bool
            let position: Position?
            let remaining: Int
            let goOn: Bool
            do {
                var page: Page
                do {
                    (page, position) = try await Self.result(taking: &next)
                } catch {
                    await budget?.give()
                    throw error
                }
                remaining = page.numRemaining
                more = remaining > 0 && position != nil
                if more, let position, await budget?.tryTake() ?? true {
                    next = prefetch(filter((position.time, position.key)), after: position, priority: remaining)
                }
                do {
                    goOn = try await handle(&page)
                } catch {
                    if let next { await drop(next) }
                    throw error
                }
            }
            if !more { return }
            if !goOn {
                if let next { await drop(next) }
                return
            }
            if next == nil, let position {
                await budget?.take()
                next = prefetch(filter((position.time, position.key)), after: position, priority: remaining)
            }
        }
    }

    /// The page `task` fetched, letting go of the task (and with it its copy of the page).
    private static func result(taking task: inout Task<(Page, Position?), Error>?) async throws -> (Page, Position?) {
        guard let fetching = task else { throw CancellationError() }
        task = nil
        return try await fetching.value
    }

    private func drop(_ task: Task<(Page, Position?), Error>) async {
        task.cancel()
        _ = try? await task.value
        await budget?.give()
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

    private func prefetch(_ filter: QueryFilter?, after previous: Position?, priority: Int) -> Task<(Page, Position?), Error> {
        let client = client, object = object, fields = fields, timeField = timeField, keyField = keyField
        let entity = entity, pageSize = pageSize
        return Task {
            let query = IntacctQuery(object: object, fields: fields, filter: filter,
                                     order: (timeField.map { [$0] } ?? []).map { .init($0) } + [.init(keyField)])
            let started = ContinuousClock.now
            let result = try await RequestThrottle.$priority.withValue(priority) {
                try await client.call(.query(query, pageSize: pageSize, offset: 0), entity: entity).result
            }
            PollerMetrics.intacctLatency(function: "query", object: object, since: started)
            let entityName = entity ?? RecordKey.topLevelEntity
            let numRemaining = result.data?.numRemaining ?? 0
            if let said = result.data?.count, said != result.rows.count {
                throw PollerError.pageRowCountMismatch(entity: entityName, object: object, count: said, rows: result.rows.count,
                                                       listType: result.data?.listType ?? "")
            }
            if result.rows.isEmpty && numRemaining > 0 {
                throw PollerError.emptyPageWithRowsRemaining(entity: entityName, object: object, numRemaining: numRemaining)
            }
            var greatest: Position?
            for row in result.rows {
                guard let key = row[keyField], !key.isEmpty else { continue }
                // Key order alone: every position shares one (empty) time.
                let time = timeField.map { row[$0] ?? "" } ?? ""
                // Rows of one page share few timestamps: parse a time only when it differs from the greatest's.
                let date: Date
                if timeField == nil {
                    date = Date(timeIntervalSince1970: 0)
                } else if let greatest, greatest.time == time {
                    date = greatest.date
                } else if let parsed = IntacctTimestamp.parse(time) {
                    date = parsed
                } else {
                    continue
                }
                let candidate = Position(time: time, date: date, key: key)
                if greatest.map({ candidate.isAfter($0) }) ?? true { greatest = candidate }
            }
            if greatest == nil, !result.rows.isEmpty {
                throw PollerError.pageWithoutPosition(entity: entityName, object: object, rows: result.rows.count)
            }
            if let previous, let greatest, numRemaining > 0 || !result.rows.isEmpty, !greatest.isAfter(previous) {
                throw PollerError.cursorDidNotMove(entity: entityName, object: object, time: previous.time, key: previous.key)
            }
            let page = Page(rows: result.rows, totalCount: result.data?.totalCount, numRemaining: numRemaining,
                            last: greatest.map { ($0.time, $0.key) })
            return (page, greatest)
        }
    }
}
