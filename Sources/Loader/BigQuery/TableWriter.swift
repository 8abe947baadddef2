import Foundation
import Logging
import Metrics
import Operations

/// Puts a batch's rows into BigQuery, exactly as far as BigQuery lets it:
///
/// - rows BigQuery reports `invalid` come back as dead letters; `stopped` rows are sent again;
/// - a request that fails as a whole for what looks like one bad row (HTTP 400, or a 500 while
///   BigQuery otherwise answers — the emulator's answer to a malformed row, and sometimes BigQuery's)
///   is bisected until the offending rows are alone, and only those are dead-lettered;
/// - a missing table is recreated, then written again;
/// - anything else (5xx with BigQuery not answering, timeouts, quota) is thrown, and the caller keeps
///   the batch. A partly written batch is not doubled when it is sent again: the worker skips the
///   offsets BigQuery already holds (`LoadedOffsets`) before it calls this again.
public struct TableWriter: RowSink {
    private let client: BigQueryClient
    private let preparer: TablePreparer
    private let logger: Logger
    /// Where the retry pauses are waited out, so they move with the worker's time.
    private let clock: any ServiceClock

    public init(client: BigQueryClient, preparer: TablePreparer, logger: Logger, clock: any ServiceClock = .system) {
        self.client = client
        self.preparer = preparer
        self.logger = logger
        self.clock = clock
    }

    /// Writes the rows and returns the ones set aside as dead letters. insertAll makes rows visible as
    /// it accepts them, so there is no moment for `beforeWrite`.
    public func write(_ rows: [PendingRow], table: String, beforeWrite: @escaping @Sendable () async throws -> Void) async throws -> [DeadLetter] {
        guard !rows.isEmpty else { return [] }
        try await preparer.prepare(table)
        return try await insert(rows[...], table: table, isolating: false)
    }

    private func insert(_ rows: ArraySlice<PendingRow>, table: String, isolating: Bool) async throws -> [DeadLetter] {
        var pending = Array(rows)
        var rejected: [DeadLetter] = []
        var attempt = 0
        while !pending.isEmpty {
            attempt += 1
            let result: InsertAllResult
            do {
                result = try await timedInsert(pending, table: table)
            } catch let error as BigQueryError {
                if error.status == 404 && attempt <= 3 {
                    // Dropped under us (or not visible yet): recreate and write again.
                    Counter(label: "ibq_loader_retries_total", dimensions: [("reason", "table_not_found")]).increment()
                    logger.warning("table not found; preparing it again", metadata: error.logMetadata.merging(["table": "\(table)"]) { $1 })
                    await preparer.forget(table)
                    try await preparer.prepare(table)
                    try await clock.sleep(for: .milliseconds(200 * attempt))
                    continue
                }
                guard try await isPoisonSuspect(error) else { throw error }
                // A 500 may be transient: the whole batch and a lone row each get a second chance.
                if error.status == 500 && attempt < 2 && (!isolating || pending.count == 1) {
                    Counter(label: "ibq_loader_retries_total", dimensions: [("reason", "request_failed_retry")]).increment()
                    try await clock.sleep(for: .milliseconds(100))
                    continue
                }
                if pending.count == 1 {
                    return rejected + [DeadLetter(rejected: pending[0], table: table, by: BigQueryRejection(error))]
                }
                Counter(label: "ibq_loader_retries_total", dimensions: [("reason", "bisect")]).increment()
                logger.notice("request failed as a whole; bisecting to isolate the bad rows",
                              metadata: error.logMetadata.merging(["table": "\(table)", "rows": "\(pending.count)"]) { $1 })
                let middle = pending.count / 2
                rejected += try await insert(pending[..<middle], table: table, isolating: true)
                rejected += try await insert(pending[middle...], table: table, isolating: true)
                return rejected
            }
            for failure in result.rowErrors where !failure.isRetryable && failure.index >= 0 && failure.index < pending.count {
                rejected.append(DeadLetter(rejected: pending[failure.index], table: table, by: BigQueryRejection(failure)))
            }
            let retryable = result.rowErrors.filter { $0.isRetryable && $0.index >= 0 && $0.index < pending.count }
            let again = retryable.map { pending[$0.index] }
            if !again.isEmpty {
                Counter(label: "ibq_loader_retries_total", dimensions: [("reason", "rows_stopped")]).increment()
                if attempt >= 10 {
                    throw BigQueryError(kind: .http, operation: "tabledata.insertAll \(table)", reason: retryable[0].reason,
                                        message: "\(again.count) row(s) still not written after \(attempt) attempts",
                                        rowErrors: retryable, isRetryable: true)
                }
                // Only `stopped` rows (their neighbours were invalid) go again at once; transient ones wait.
                if result.rowErrors.contains(where: { $0.isRetryable && $0.reason != "stopped" }) {
                    try await clock.sleep(for: .milliseconds(100 * attempt))
                }
            }
            pending = again
        }
        return rejected
    }

    private func timedInsert(_ rows: [PendingRow], table: String) async throws -> InsertAllResult {
        let started = ContinuousClock.now
        defer {
            Metrics.Timer(label: "ibq_loader_bigquery_latency_seconds", dimensions: [("operation", "insertAll")])
                .recordInterval(since: started)
        }
        var rendered: [InsertAllRow] = []
        rendered.reserveCapacity(rows.count)
        for row in rows {
            // Only a router configured for the Storage Write path leaves it out; keep the batch, say why.
            guard let json = row.row else {
                throw BigQueryError(kind: .configuration, operation: "tabledata.insertAll \(table)",
                                    message: "row at \(row.source.topic)/\(row.source.partition)/\(row.source.offset) has no insertAll JSON: the router renders none for write_api: storage",
                                    isRetryable: false)
            }
            rendered.append(json)
        }
        return try await client.insertAll(into: table, rows: rendered)
    }

    /// True when the failure is about the request's content, not BigQuery's health: a 400/413, a
    /// request over the limits, or a 500 while BigQuery answers a cheap read. A probe that fails
    /// throws its own error: that is an outage, not a poison row.
    private func isPoisonSuspect(_ error: BigQueryError) async throws -> Bool {
        if error.kind == .requestTooLarge { return true }
        guard error.kind == .http, let status = error.status else { return false }
        switch status {
        case 400, 413: return true
        case 500:
            _ = try await client.datasetExists()
            return true
        default: return false
        }
    }
}

extension Metrics.Timer {
    /// Records the time since `start` (swift-metrics' own helper wants DispatchTime).
    package func recordInterval(since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
    }
}
