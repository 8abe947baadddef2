import Foundation
import Loader
import Logging
import Metrics
import RecordContract
import Synchronization

/// The worker's `RowSink` on the Storage Write API: each batch's protobuf rows — as the router encoded
/// them (`PendingRow.encoded`) when that was for the table's current mapping, encoded here from the bytes
/// as received (`original`) otherwise — are appended by `StorageWriteSink` to the table's COMMITTED
/// stream, one AppendRows request per batch (several when the batch is over 10 MB) on the stream's open call.
///
/// - A value that does not fit its column (`RowConversionError`) and a row the Write API refuses come
///   back as dead letters; the second carries the Write API's row error (`FIELDS_ERROR` and its text),
///   or `INVALID_ARGUMENT` for a row the sink found by halving a request refused whole.
/// - A table that does not exist is created (`TablePreparer`, as on the insertAll path) before the
///   first write, and again when the Write API answers NOT_FOUND (dropped under a running loader).
/// - Anything else throws a `BigQueryError` built from the gRPC status, so the worker treats it as an
///   outage, keeps the batch and checks what landed before it sends it again: the rows of a COMMITTED
///   stream are visible once appended, so the check sees any request of the batch that went in.
/// - `_audit` rows are not record envelopes: they go through `auditRows` (insertAll), a few per poll run.
///
/// The encoder of a table is rebuilt whenever its mapping changes (schema widening added a column).
public final class StorageWriteRowSink: RowSink {
    private let sink: StorageWriteSink
    private let project: String
    private let dataset: String
    private let preparer: TablePreparer
    private let auditRows: any RowSink
    private let widening: SchemaWidening?
    private let baseMappings: [String: ObjectMapping]
    private let logger: Logger
    /// One encoder per table, for the mapping it was built from.
    private let encoders = Mutex<[String: ProtoRowEncoder]>([:])

    /// - Parameters:
    ///   - mappings: the mappings the router converts with (mapping file applied).
    ///   - widening: when schema widening is on, the source of each table's current mapping.
    ///   - auditRows: where `_audit` rows go (the insertAll `TableWriter`).
    public init(sink: StorageWriteSink, project: String, dataset: String, preparer: TablePreparer, mappings: [ObjectMapping],
                widening: SchemaWidening?, auditRows: any RowSink, logger: Logger) {
        self.sink = sink
        self.project = project
        self.dataset = dataset
        self.preparer = preparer
        self.widening = widening
        self.auditRows = auditRows
        self.logger = logger
        baseMappings = Dictionary(mappings.map { ($0.tableName, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func write(_ rows: [PendingRow], table: String, beforeWrite: @escaping @Sendable () async throws -> Void) async throws -> [DeadLetter] {
        guard !rows.isEmpty else { return [] }
        if table == AuditTable.name { return try await auditRows.write(rows, table: table, beforeWrite: beforeWrite) }
        try await preparer.prepare(table)
        let encoder = try await encoder(for: table)
        let (encoded, batchIndexes, unencodable) = encode(rows, table: table, with: encoder)
        guard !encoded.isEmpty else { return unencodable }
        let path = StorageWriteClient.tablePath(project: project, dataset: dataset, table: table)
        var attempt = 0
        while true {
            attempt += 1
            do {
                let rejected = try await put(encoded, rows: rows, batchIndexes: batchIndexes, table: table, path: path,
                                             descriptor: encoder, beforeWrite: beforeWrite)
                return (unencodable + rejected).sorted { $0.source.offset < $1.source.offset }
            } catch let error as StorageWriteError where error.code == 5 && attempt <= 3 {
                // NOT_FOUND: dropped under us (or not visible yet). Recreate and write the batch again.
                Counter(label: "ibq_loader_retries_total", dimensions: [("reason", "table_not_found")]).increment()
                logger.warning("table not found by the Storage Write API; preparing it again",
                               metadata: ["table": "\(table)", "error_message": "\(error.message)"])
                await preparer.forget(table)
                try await preparer.prepare(table)
            } catch let error as StorageWriteError {
                throw BigQueryError(error)
            }
        }
    }

    /// Writes the encoded rows; rows the Write API refused come back as dead letters.
    private func put(_ encoded: [Data], rows: [PendingRow], batchIndexes: [Int], table: String, path: String,
                     descriptor encoder: ProtoRowEncoder, beforeWrite: @escaping @Sendable () async throws -> Void) async throws -> [DeadLetter] {
        let started = ContinuousClock.now
        let commit = try await sink.write(table: path, descriptor: encoder.descriptor, rows: encoded, beforeWrite: beforeWrite)
        Metrics.Timer(label: "ibq_loader_bigquery_latency_seconds", dimensions: [("operation", "storageWrite")]).recordInterval(since: started)
        return commit.rejected.map { error in
            DeadLetter(rejected: rows[batchIndexes[error.index]], table: table, by: BigQueryRejection(error))
        }
    }

    /// Serialized rows, the batch index each came from, and dead letters for those that cannot be encoded.
    private func encode(_ rows: [PendingRow], table: String, with encoder: ProtoRowEncoder) -> ([Data], [Int], [DeadLetter]) {
        // Rows encoded here (the router encodes the rest) get one `_loaded_at` per batch.
        let loadedAt = ProtoRowEncoder.microseconds(Date())
        var encoded: [Data] = []
        var indexes: [Int] = []
        var dead: [DeadLetter] = []
        encoded.reserveCapacity(rows.count)
        indexes.reserveCapacity(rows.count)
        var scratch = ProtoRowEncoder.RowScratch()
        var scanner = EnvelopeScanner()
        // The router's rows nearly all come from one encoder: its mapping is compared with the table's once.
        var current: ProtoRowEncoder.Version?
        for (index, row) in rows.enumerated() {
            do {
                if let ready = row.encoded, ready.version === current || ready.version.mapping == encoder.mapping {
                    current = ready.version
                    encoded.append(ready.bytes)
                } else if let original = row.original {
                    // Encoded for a mapping since widened, or not by a router: read the bytes again.
                    encoded.append(try scanner.read(original) { envelope in
                        try encoder.row(for: envelope, key: row.recordKey.utf8, from: row.source, loadedAtMicros: loadedAt, reusing: &scratch)
                    })
                } else {
                    guard let key = RecordKey(parsing: row.recordKey), let deletedAt = row.deletedAt else {
                        dead.append(DeadLetter(reason: .invalidKey, detail: "tombstone key \(row.recordKey) cannot be written to \(table)",
                                               table: table, source: row.source, key: Data(row.recordKey.utf8), original: nil))
                        continue
                    }
                    encoded.append(try encoder.tombstoneRow(for: key, deletedAt: deletedAt, from: row.source, loadedAtMicros: loadedAt))
                }
                indexes.append(index)
            } catch let error as RowConversionError {
                dead.append(DeadLetter(reason: .conversion, detail: error.description, table: table, source: row.source,
                                       key: Data(row.recordKey.utf8), original: row.original, field: error.field, value: error.value))
            } catch {
                // Only a row built without a router (its bytes never read before) gets here.
                dead.append(DeadLetter(reason: .undecodable, detail: "\(error)", table: table, source: row.source,
                                       key: Data(row.recordKey.utf8), original: row.original))
            }
        }
        return (encoded, indexes, dead)
    }

    /// The encoder for the table's current mapping, rebuilt when the mapping changed.
    private func encoder(for table: String) async throws -> ProtoRowEncoder {
        let mapping: ObjectMapping
        if let widening {
            mapping = await widening.mapping(for: table.uppercased())
        } else if let known = baseMappings[table] {
            mapping = known
        } else {
            throw BigQueryError(kind: .configuration, operation: "AppendRows \(table)", message: "no mapping for table \(table)", isRetryable: false)
        }
        return encoders.withLock { encoders in
            if let cached = encoders[table], cached.mapping == mapping { return cached }
            let encoder = ProtoRowEncoder(mapping: mapping)
            encoders[table] = encoder
            return encoder
        }
    }
}
