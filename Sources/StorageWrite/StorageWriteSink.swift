import Foundation
import SwiftProtobuf
import Synchronization

/// Puts batches of rows into tables through one COMMITTED write stream per table, kept across batches:
/// a batch is one AppendRows request (on the stream's open call, `StorageWriteClient.appendRows`) at
/// the offset where the stream's previous batch ended, and its rows are visible once it is answered.
///
/// ```swift
/// let commit = try await sink.write(table: StorageWriteClient.tablePath(project: p, dataset: d, table: "apbill"),
///                                   descriptor: encoder.descriptor, rows: rows)
/// // dead-letter rows[commit.rejected[i].index] with commit.rejected[i].message; the rest are in the table.
/// ```
///
/// - A stream is created (CreateWriteStream, COMMITTED) for a table's first batch, after a batch that
///   failed on it, and when the descriptor changed (schema widening: BigQuery reads a stream's rows with
///   the table schema of its creation, so a widened table needs a new stream). BigQuery slows down past
///   a few tens of stream creations a second per project; reusing streams keeps it at one per table.
/// - A stream is leased, not shared: a write takes it out of the cache and puts it back only after it
///   succeeded, so its next offset is known. Two writers of one table at once get two streams, never
///   the same offsets; a stream whose state a failure left unknown is dropped, never put back.
/// - Explicit offsets make each append exactly once within its stream: a connection lost during an
///   append is retried on the same stream at the same offset (twice at most), and a request that had
///   landed answers ALREADY_EXISTS, which counts as written.
/// - Rows the Write API refuses (row errors: the whole request is refused, nothing of it written) are
///   set aside and the rest is sent again at the same offset; they come back in `rejected`. A request
///   refused with INVALID_ARGUMENT naming no row (bqemulator's answer to a bad value) is sent again in
///   halves at the same offset until the bad rows are alone; each comes back in `rejected` named `INVALID_ARGUMENT`.
/// - A batch larger than one request (10 MB) goes as several requests at successive offsets, so it is
///   not atomic: a failure between them leaves the first ones in the table. Any failure throws and the
///   caller checks by offset what landed before it writes the batch again (the worker's
///   `LoadedOffsetCheck`): rows of a COMMITTED stream are visible as soon as they are appended.
public final class StorageWriteSink: Sendable {
    public let client: StorageWriteClient
    /// Tries of one append call when the connection fails (UNAVAILABLE and the like).
    public let appendAttempts: Int
    /// The idle stream of each table (by table path), ready for its next batch.
    private let idle = Mutex<[String: Stream]>([:])

    /// A COMMITTED stream between two batches.
    private struct Stream: Sendable {
        var name: String
        /// The writer schema the stream was opened for.
        var descriptor: Google_Protobuf_DescriptorProto
        /// Where the next row goes: every row before it is in the stream.
        var nextOffset: Int64
    }

    public init(client: StorageWriteClient, appendAttempts: Int = 3) {
        self.client = client
        self.appendAttempts = max(1, appendAttempts)
    }

    /// - Parameter beforeWrite: called right before the first append, when the rows are about to become
    ///   visible; when it throws, nothing is appended, the stream goes back to the cache unchanged, and
    ///   the error is thrown.
    public func write(table: String, descriptor: Google_Protobuf_DescriptorProto, rows: [Data],
                      beforeWrite: @Sendable () async throws -> Void = {}) async throws -> StorageWriteCommit {
        guard !rows.isEmpty else { return StorageWriteCommit(stream: nil, committedRows: 0, rejected: []) }
        var stream = try await lease(table: table, descriptor: descriptor)
        do {
            try await beforeWrite()
        } catch {
            giveBack(stream, table: table)
            throw error
        }
        // `remaining` holds batch indexes still to append, in order; `cursor` is where the next call starts.
        var remaining = Array(rows.indices)
        var cursor = 0
        var rejected: [StorageWriteRowError] = []
        var failures = 0
        // Rows per call while a request refused whole is being halved; nil sends all that is left.
        var window: Int?
        while cursor < remaining.count {
            let pending = Array(remaining[cursor..<min(remaining.count, cursor + (window ?? remaining.count))])
            let outcome: AppendRowsOutcome
            do {
                outcome = try await client.appendRows(stream: stream.name, offset: stream.nextOffset, descriptor: descriptor,
                                                      rows: pending.map { rows[$0] })
            } catch let error as StorageWriteError where error.isRetryable && failures + 1 < appendAttempts {
                failures += 1
                continue
            }
            cursor += outcome.appendedRows
            stream.nextOffset += Int64(outcome.appendedRows)
            switch outcome.stop {
            case nil:
                window = nil
            case let .alreadyExists(at, count, message):
                // Only a retry may find its rows there: the stream is leased, nobody else appends to it.
                guard failures > 0 else {
                    throw StorageWriteError(code: 6, message: "offset \(at) was already written before any retry: \(message)", operation: "AppendRows", stream: stream.name, table: table)
                }
                cursor += count
                stream.nextOffset += Int64(count)
            case let .outOfRange(at, message):
                // Only a bug can leave a gap in a stream this sink alone writes to.
                throw StorageWriteError(code: 11, message: "offset \(at) is past the end of the stream: \(message)", operation: "AppendRows", stream: stream.name, table: table)
            case let .rowErrors(errors):
                let bad = Set(errors.map { pending[$0.index] })
                // One entry per row, so one dead letter per record even when several of its fields failed.
                for (index, errorsOfRow) in Dictionary(grouping: errors, by: \.index).sorted(by: { $0.key < $1.key }) {
                    rejected.append(StorageWriteRowError(index: pending[index], code: errorsOfRow[0].code,
                                                         message: errorsOfRow.map(\.message).joined(separator: "; ")))
                }
                remaining = Array(remaining[..<cursor]) + remaining[cursor...].filter { !bad.contains($0) }
            case let .invalid(_, count, message):
                // Halve the refused request until the row at fault is alone; the rows before it went in.
                if count == 1 {
                    rejected.append(StorageWriteRowError(index: remaining[cursor], code: 0, message: message, codeName: "INVALID_ARGUMENT"))
                    remaining.remove(at: cursor)
                    window = nil
                } else {
                    window = count / 2
                }
            }
        }
        giveBack(stream, table: table)
        return StorageWriteCommit(stream: stream.name, committedRows: cursor, rejected: rejected.sorted { $0.index < $1.index })
    }

    /// The table's idle stream when it was opened for `descriptor`, else a new COMMITTED stream.
    private func lease(table: String, descriptor: Google_Protobuf_DescriptorProto) async throws -> Stream {
        let cached = idle.withLock { $0.removeValue(forKey: table) }
        if let cached, cached.descriptor == descriptor { return cached }
        let name = try await client.createWriteStream(table: table, type: .committed).name
        return Stream(name: name, descriptor: descriptor, nextOffset: 0)
    }

    /// Keeps `stream` for the table's next batch. With two writers of one table, the one that finishes
    /// last keeps its stream; the other stream is simply not used again.
    private func giveBack(_ stream: Stream, table: String) {
        idle.withLock { $0[table] = stream }
    }
}
