import Foundation
import SwiftProtobuf

/// Puts one batch of rows into one table atomically: a new PENDING stream, appends at explicit offsets,
/// FinalizeWriteStream, then BatchCommitWriteStreams — the rows appear together or not at all.
///
/// ```swift
/// let commit = try await sink.write(table: StorageWriteClient.tablePath(project: p, dataset: d, table: "apbill"),
///                                   descriptor: encoder.descriptor, rows: rows)
/// // dead-letter rows[commit.rejected[i].index] with commit.rejected[i].message; the rest are in the table.
/// ```
///
/// - Rows the Write API refuses (row errors: the whole request is refused, nothing of it written) are
///   set aside and the request is sent again without them; they come back in `rejected`.
/// - A connection lost during an append is retried on the same stream from the same offset (twice at
///   most): a request that had landed answers ALREADY_EXISTS, which counts as written.
/// - Any other failure before the commit throws, and nothing is visible: a PENDING stream that is never
///   committed is dropped by BigQuery, so the caller retries the whole batch on a new stream.
/// - A commit whose answer was lost is checked with GetWriteStream before it is retried, so a batch is
///   never committed twice.
///
/// One stream per batch keeps the protocol simple; BigQuery slows down past a few tens of stream
/// creations a second per project, so batches should be large (thousands of rows), not per message.
public struct StorageWriteSink: Sendable {
    public let client: StorageWriteClient
    /// Tries of one append call when the connection fails (UNAVAILABLE and the like).
    public let appendAttempts: Int

    public init(client: StorageWriteClient, appendAttempts: Int = 3) {
        self.client = client
        self.appendAttempts = max(1, appendAttempts)
    }

    /// - Parameter beforeCommit: called after the stream is finalized, right before BatchCommit; when it
    ///   throws, the stream is left uncommitted (BigQuery drops it) and the error is thrown.
    public func write(table: String, descriptor: Google_Protobuf_DescriptorProto, rows: [Data],
                      beforeCommit: @Sendable () async throws -> Void = {}) async throws -> StorageWriteCommit {
        guard !rows.isEmpty else { return StorageWriteCommit(stream: nil, committedRows: 0, rejected: [], commitTime: nil) }
        let stream = try await client.createWriteStream(table: table, type: .pending).name
        // `remaining` holds batch indexes still to append, in order; `cursor` is where the next call starts.
        var remaining = Array(rows.indices)
        var cursor = 0
        var offset: Int64 = 0
        var rejected: [StorageWriteRowError] = []
        var failures = 0
        while cursor < remaining.count {
            let pending = Array(remaining[cursor...])
            let outcome: AppendRowsOutcome
            do {
                outcome = try await client.appendRows(stream: stream, offset: offset, descriptor: descriptor, rows: pending.map { rows[$0] })
            } catch let error as StorageWriteError where error.isRetryable && failures + 1 < appendAttempts {
                failures += 1
                continue
            }
            cursor += outcome.appendedRows
            offset += Int64(outcome.appendedRows)
            switch outcome.stop {
            case nil:
                break
            case let .alreadyExists(_, count, _):
                cursor += count
                offset += Int64(count)
            case let .outOfRange(at, message):
                // Only a bug can leave a gap in a stream this sink alone writes to.
                throw StorageWriteError(code: 11, message: "offset \(at) is past the end of the stream: \(message)", operation: "AppendRows", stream: stream, table: table)
            case let .rowErrors(errors):
                let bad = Set(errors.map { pending[$0.index] })
                // One entry per row, so one dead letter per record even when several of its fields failed.
                for (index, errorsOfRow) in Dictionary(grouping: errors, by: \.index).sorted(by: { $0.key < $1.key }) {
                    rejected.append(StorageWriteRowError(index: pending[index], code: errorsOfRow[0].code,
                                                         message: errorsOfRow.map(\.message).joined(separator: "; ")))
                }
                remaining = Array(remaining[..<cursor]) + remaining[cursor...].filter { !bad.contains($0) }
            }
        }
        let appended = cursor
        guard appended > 0 else { return StorageWriteCommit(stream: nil, committedRows: 0, rejected: rejected, commitTime: nil) }
        try await client.finalizeWriteStream(stream)
        try await beforeCommit()
        let commitTime = try await commit(stream, table: table)
        return StorageWriteCommit(stream: stream, committedRows: appended, rejected: rejected.sorted { $0.index < $1.index }, commitTime: commitTime)
    }

    /// BatchCommit once more only when BigQuery does not say the stream is committed: a lost answer to a
    /// commit that happened must not be mistaken for a failure.
    private func commit(_ stream: String, table: String) async throws -> Date? {
        do {
            return try await commitOnce(stream, table: table)
        } catch let error as StorageWriteError where error.isRetryable {
            if let committed = try await client.getWriteStream(stream).commitTime { return committed }
            return try await commitOnce(stream, table: table)
        }
    }

    private func commitOnce(_ stream: String, table: String) async throws -> Date? {
        do {
            return try await client.batchCommitWriteStreams(table: table, streams: [stream])
        } catch let error as StorageWriteError where !error.streamErrors.isEmpty && error.streamErrors.allSatisfy({ $0.code == 2 }) {
            // STREAM_ALREADY_COMMITTED: an earlier try of this commit landed; its time is not known here.
            return nil
        }
    }
}
