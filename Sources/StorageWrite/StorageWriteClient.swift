import BigQueryStorageAPI
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Loader
import SwiftProtobuf
import Synchronization

/// The BigQuery Storage Write API (`google.cloud.bigquery.storage.v1.BigQueryWrite`) over gRPC on HTTP/2.
///
/// Every call carries the `x-goog-request-params` routing header (`parent=`, `name=` or `write_stream=`)
/// and, with a token provider, `authorization: Bearer …`; a call answered UNAUTHENTICATED drops that
/// token and is tried once more with a fresh one. Failures are `StorageWriteError`s carrying the gRPC
/// status, the stream or table, and BigQuery's row and stream errors. `appendRows` splits rows into
/// requests under the 10 MB AppendRows limit and reports ALREADY_EXISTS, OUT_OF_RANGE and row errors as
/// outcomes (and an INVALID_ARGUMENT that names no row), because the exactly-once protocol acts on each
/// differently.
///
/// The connection runs inside `run()`, which returns after `close()`: run it in the service group or a
/// task that outlives the calls (calls made before it starts are queued).
///
/// ```swift
/// let client = try StorageWriteClient(endpoint: .plaintext("127.0.0.1:9060")!, tokens: nil)
/// async let connection: Void = client.run()
/// let stream = try await client.createWriteStream(table: StorageWriteClient.tablePath(project: "demo", dataset: "intacct", table: "apbill"), type: .committed)
/// ```
public final class StorageWriteClient: Sendable {
    /// Google refuses AppendRows requests of 10 MB or more; requests are cut below this, leaving room for
    /// the request's own fields.
    public static let appendRequestLimit = 10 * 1000 * 1000
    /// What one request carries at most unless told otherwise: the limit less 64 KiB for the request's own fields.
    public static let defaultMaxRequestBytes = appendRequestLimit - 64 * 1024
    /// AppendRows calls kept open between appends unless told otherwise: well under the 100 streams open
    /// at once that HTTP/2 (RFC 9113, SETTINGS_MAX_CONCURRENT_STREAMS) recommends a server allow at least.
    public static let defaultMaxIdleCalls = 32

    public let endpoint: StorageWriteEndpoint
    private let grpc: GRPCClient<HTTP2ClientTransport.Posix>
    private let api: Google_Cloud_Bigquery_Storage_V1_BigQueryWrite.Client<HTTP2ClientTransport.Posix>
    private let tokens: AccessTokenProvider?
    private let maxRequestBytes: Int
    private let requestTimeout: Duration
    /// Unary calls: the request timeout is the call's deadline.
    private let callOptions: CallOptions
    /// AppendRows calls stay open across appends: each request has its own deadline (`AppendRowsCall`).
    private let appendOptions: CallOptions
    /// Calls to run inside `run()`.
    private let startedCalls: AsyncStream<AppendRowsCall>
    private let callStarts: AsyncStream<AppendRowsCall>.Continuation
    /// How many AppendRows calls stay open between appends, at most.
    let maxIdleCalls: Int
    private let idleCalls = Mutex(IdleCalls())

    /// The open AppendRows calls between appends, one per write stream.
    private struct IdleCalls {
        var calls: [String: (call: AppendRowsCall, lastUse: Int)] = [:]
        /// Counts appends, to tell the least recently used call.
        var uses = 0
        var closed = false
    }

    /// - Parameters:
    ///   - tokens: the loader's service-account tokens; `nil` for an endpoint without auth (the emulator).
    ///   - maxRequestBytes: the most one AppendRows request may carry (tests lower it to exercise splitting).
    ///   - requestTimeout: deadline of each unary call and of each AppendRows request.
    ///   - maxIdleCalls: AppendRows calls kept open between appends, at most.
    public init(endpoint: StorageWriteEndpoint, tokens: AccessTokenProvider?, maxRequestBytes: Int = StorageWriteClient.defaultMaxRequestBytes,
                requestTimeout: Duration = .seconds(60), maxIdleCalls: Int = StorageWriteClient.defaultMaxIdleCalls) throws {
        self.endpoint = endpoint
        self.tokens = tokens
        self.maxRequestBytes = maxRequestBytes
        self.requestTimeout = requestTimeout
        self.maxIdleCalls = max(0, maxIdleCalls)
        (startedCalls, callStarts) = AsyncStream.makeStream()
        let transport = try HTTP2ClientTransport.Posix(
            target: .dns(host: endpoint.host, port: endpoint.port),
            transportSecurity: endpoint.usesTLS ? .tls : .plaintext
        )
        grpc = GRPCClient(transport: transport)
        api = Google_Cloud_Bigquery_Storage_V1_BigQueryWrite.Client(wrapping: grpc)
        var options = CallOptions.defaults
        options.timeout = requestTimeout
        options.maxRequestMessageBytes = max(maxRequestBytes, Self.appendRequestLimit)
        callOptions = options
        options.timeout = nil
        appendOptions = options
    }

    /// Keeps the connection, and the AppendRows calls opened on it, until `close()`.
    public func run() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask {
                await withDiscardingTaskGroup { calls in
                    for await call in self.startedCalls {
                        calls.addTask { await call.run(self.api, options: self.appendOptions) }
                    }
                }
            }
            try await grpc.runConnections()
        }
    }

    /// Half-closes the idle AppendRows calls, lets calls in flight finish, then ends `run()`.
    public func close() {
        let idle = idleCalls.withLock { pool in
            pool.closed = true
            defer { pool.calls = [:] }
            return pool.calls.values.map(\.call)
        }
        idle.forEach { $0.finish() }
        callStarts.finish()
        grpc.beginGracefulShutdown()
    }

    /// `projects/{project}/datasets/{dataset}/tables/{table}`, the name the Write API gives a table.
    public static func tablePath(project: String, dataset: String, table: String) -> String {
        "projects/\(project)/datasets/\(dataset)/tables/\(table)"
    }

    // MARK: Streams

    public func createWriteStream(table: String, type: WriteStreamType) async throws -> WriteStreamInfo {
        var request = Google_Cloud_Bigquery_Storage_V1_CreateWriteStreamRequest()
        request.parent = table
        request.writeStream.type = Google_Cloud_Bigquery_Storage_V1_WriteStream.TypeEnum(rawValue: type.rawValue) ?? .unspecified
        let stream = try await call("CreateWriteStream", routing: ("parent", table), table: table) { [request] metadata in
            try await self.api.createWriteStream(request, metadata: metadata, options: self.callOptions)
        }
        return Self.info(stream)
    }

    public func getWriteStream(_ name: String) async throws -> WriteStreamInfo {
        var request = Google_Cloud_Bigquery_Storage_V1_GetWriteStreamRequest()
        request.name = name
        let stream = try await call("GetWriteStream", routing: ("name", name), stream: name) { [request] metadata in
            try await self.api.getWriteStream(request, metadata: metadata, options: self.callOptions)
        }
        return Self.info(stream)
    }

    /// Closes a PENDING (or BUFFERED/COMMITTED) stream to appends. Returns how many rows it holds.
    /// The loader does not use it (its COMMITTED streams stay open); the API is complete for tests and tools.
    @discardableResult
    public func finalizeWriteStream(_ name: String) async throws -> Int64 {
        var request = Google_Cloud_Bigquery_Storage_V1_FinalizeWriteStreamRequest()
        request.name = name
        let response = try await call("FinalizeWriteStream", routing: ("name", name), stream: name) { [request] metadata in
            try await self.api.finalizeWriteStream(request, metadata: metadata, options: self.callOptions)
        }
        return response.rowCount
    }

    /// Makes the rows of finalized PENDING streams of one table visible, all or none.
    /// - Returns: the commit time.
    /// - Throws: `StorageWriteError` with `streamErrors` (code 9, FAILED_PRECONDITION) when BigQuery
    ///   committed nothing because of one of the streams.
    @discardableResult
    public func batchCommitWriteStreams(table: String, streams: [String]) async throws -> Date? {
        var request = Google_Cloud_Bigquery_Storage_V1_BatchCommitWriteStreamsRequest()
        request.parent = table
        request.writeStreams = streams
        let response = try await call("BatchCommitWriteStreams", routing: ("parent", table), table: table) { [request] metadata in
            try await self.api.batchCommitWriteStreams(request, metadata: metadata, options: self.callOptions)
        }
        guard response.streamErrors.isEmpty else {
            throw StorageWriteError(
                code: 9, message: "BatchCommitWriteStreams committed nothing", operation: "BatchCommitWriteStreams", table: table,
                streamErrors: response.streamErrors.map { .init(code: $0.code.rawValue, entity: $0.entity, message: $0.errorMessage) }
            )
        }
        return response.hasCommitTime ? response.commitTime.date : nil
    }

    // MARK: Rows

    /// Appends serialized rows (messages described by `descriptor`) to `stream`.
    ///
    /// With `offset`, the first row must land at that offset and each following request continues
    /// from where the previous one ended, so a retry of the same call is recognised (ALREADY_EXISTS) and
    /// a gap refused (OUT_OF_RANGE); without it, rows go to the end of the stream (the `_default` stream
    /// takes no offsets). Requests go one at a time: the next leaves only after the previous one was
    /// accepted, so rows never land after a refused request. A single row larger than a request can be
    /// is reported as a row error (code 0) without being sent.
    ///
    /// The requests go on the stream's open AppendRows call when it has one (`AppendRowsCall`), else
    /// on a new one, which stays open for the stream's next rows when every request was accepted. A call
    /// that was refused, failed or ended is not used again; one that ended while idle (the server closes
    /// calls) is replaced before anything was sent on it. Each request has the request timeout as its
    /// deadline. At most `maxIdleCalls` calls stay open between appends (HTTP/2 bounds the streams open
    /// on a connection); past that the least recently used is half-closed.
    public func appendRows(stream: String, offset: Int64?, descriptor: Google_Protobuf_DescriptorProto, rows: [Data]) async throws -> AppendRowsOutcome {
        let descriptorBytes: [UInt8] = try descriptor.serializedBytes()
        let plan = Self.requests(for: rows, budget: maxRequestBytes - descriptorBytes.count - stream.utf8.count - 64)
        guard !plan.ranges.isEmpty else {
            if let oversize = plan.oversizeRow { return Self.oversize(rows, at: oversize, budget: maxRequestBytes, offset: offset) }
            return AppendRowsOutcome(appendedRows: 0, firstOffset: nil, stop: nil)
        }
        let ranges = plan.ranges
        let outcome = try await call("AppendRows", routing: ("write_stream", stream), stream: stream) { metadata in
            var call = try self.openCall(stream: stream, descriptor: descriptor, descriptorBytes: descriptorBytes, metadata: metadata, reusing: true)
            var reusable = false
            defer { self.keepOrFinish(call, reusable: reusable) }
            var firstOffset: Int64?
            for range in ranges {
                var request = Google_Cloud_Bigquery_Storage_V1_AppendRowsRequest()
                request.writeStream = stream
                if let offset { request.offset = Google_Protobuf_Int64Value(offset + Int64(range.lowerBound)) }
                request.protoRows.rows.serializedRows = Array(rows[range])
                let message: Google_Cloud_Bigquery_Storage_V1_AppendRowsResponse
                do {
                    message = try await call.send(request)
                } catch is AppendRowsCall.NotSent {
                    // The call ended while idle: nothing of this request went out. Once more on a new call.
                    call = try self.openCall(stream: stream, descriptor: descriptor, descriptorBytes: descriptorBytes, metadata: metadata, reusing: false)
                    do { message = try await call.send(request) } catch let notSent as AppendRowsCall.NotSent { throw notSent.reason }
                }
                switch message.response {
                case let .appendResult(result):
                    if firstOffset == nil, result.hasOffset { firstOffset = result.offset.value }
                case let .error(status):
                    return try Self.refusal(status, rowErrors: message.rowErrors, range: range, offset: offset, firstOffset: firstOffset, stream: stream).get()
                case nil:
                    throw StorageWriteError(code: 2, message: "AppendRows answered with neither a result nor an error", operation: "AppendRows", stream: stream)
                }
            }
            reusable = true
            return AppendRowsOutcome(appendedRows: ranges[ranges.count - 1].upperBound, firstOffset: firstOffset, stop: nil)
        }
        if outcome.isComplete, let oversize = plan.oversizeRow {
            return Self.oversize(rows, at: oversize, budget: maxRequestBytes, offset: offset, appendedBefore: outcome)
        }
        return outcome
    }

    /// The stream's idle call when it was opened with this schema and credentials (`reusing`), else a new call.
    private func openCall(stream: String, descriptor: Google_Protobuf_DescriptorProto, descriptorBytes: [UInt8], metadata: Metadata,
                          reusing: Bool) throws -> AppendRowsCall {
        let authorization = AppendRowsCall.authorization(in: metadata)
        let (idle, closed) = idleCalls.withLock { pool in (reusing ? pool.calls.removeValue(forKey: stream)?.call : nil, pool.closed) }
        if let idle {
            if !idle.isEnded, idle.descriptorBytes == descriptorBytes, idle.authorization == authorization { return idle }
            idle.finish()
        }
        let call = AppendRowsCall(stream: stream, descriptor: descriptor, descriptorBytes: descriptorBytes, metadata: metadata, requestTimeout: requestTimeout)
        guard !closed, case .enqueued = callStarts.yield(call) else {
            throw RPCError(code: .unavailable, message: "the Storage Write client is closed")
        }
        return call
    }

    /// Keeps a call whose requests were all accepted open for the stream's next append; ends any other.
    private func keepOrFinish(_ call: AppendRowsCall, reusable: Bool) {
        let finished: [AppendRowsCall] = idleCalls.withLock { pool in
            guard reusable, !pool.closed, !call.isEnded else { return [call] }
            pool.uses += 1
            var finished: [AppendRowsCall] = []
            if let previous = pool.calls.updateValue((call, pool.uses), forKey: call.stream), previous.call !== call { finished.append(previous.call) }
            if pool.calls.count > maxIdleCalls, let oldest = pool.calls.min(by: { $0.value.lastUse < $1.value.lastUse }) {
                pool.calls[oldest.key] = nil
                finished.append(oldest.value.call)
            }
            return finished
        }
        finished.forEach { $0.finish() }
    }

    /// What an AppendRows error answer to the request covering `range` means for the call.
    private static func refusal(_ status: Google_Rpc_Status, rowErrors: [Google_Cloud_Bigquery_Storage_V1_RowError], range: Range<Int>,
                                offset: Int64?, firstOffset: Int64?, stream: String) -> Result<AppendRowsOutcome, StorageWriteError> {
        // An index outside the request would point at the wrong row (or past the caller's array).
        if let stray = rowErrors.first(where: { $0.index < 0 || $0.index >= range.count }) {
            return .failure(StorageWriteError(code: Int(status.code), message: "\(status.message) (row error index \(stray.index) is outside the request's \(range.count) rows)",
                                              operation: "AppendRows", stream: stream))
        }
        let at = (offset ?? 0) + Int64(range.lowerBound)
        switch status.code {
        case 6 where offset != nil:
            return .success(AppendRowsOutcome(appendedRows: range.lowerBound, firstOffset: firstOffset, stop: .alreadyExists(offset: at, rows: range.count, message: status.message)))
        case 11 where offset != nil:
            return .success(AppendRowsOutcome(appendedRows: range.lowerBound, firstOffset: firstOffset, stop: .outOfRange(offset: at, message: status.message)))
        case _ where !rowErrors.isEmpty:
            let errors = rowErrors.map { StorageWriteRowError(index: range.lowerBound + Int($0.index), code: $0.code.rawValue, message: $0.message) }
            return .success(AppendRowsOutcome(appendedRows: range.lowerBound, firstOffset: firstOffset, stop: .rowErrors(errors)))
        case 3:
            return .success(AppendRowsOutcome(appendedRows: range.lowerBound, firstOffset: firstOffset, stop: .invalid(offset: at, rows: range.count, message: status.message)))
        default:
            return .failure(StorageWriteError(code: Int(status.code), message: status.message, operation: "AppendRows", stream: stream))
        }
    }

    /// Cuts `rows` into consecutive ranges whose serialized request fits `budget` bytes, stopping before
    /// the first row that could never fit.
    static func requests(for rows: [Data], budget: Int) -> (ranges: [Range<Int>], oversizeRow: Int?) {
        var ranges: [Range<Int>] = []
        var start = 0, size = 0
        for (index, row) in rows.enumerated() {
            // A row costs its bytes plus its field key and length prefix.
            let cost = row.count + 6
            if cost > budget {
                if start < index { ranges.append(start..<index) }
                return (ranges, index)
            }
            if size + cost > budget, start < index {
                ranges.append(start..<index)
                start = index
                size = 0
            }
            size += cost
        }
        if start < rows.count { ranges.append(start..<rows.count) }
        return (ranges, nil)
    }

    private static func oversize(_ rows: [Data], at index: Int, budget: Int, offset: Int64?, appendedBefore: AppendRowsOutcome? = nil) -> AppendRowsOutcome {
        let error = StorageWriteRowError(index: index, code: 0, message: "row of \(rows[index].count) bytes does not fit in one AppendRows request (at most \(budget) bytes)")
        return AppendRowsOutcome(appendedRows: index, firstOffset: appendedBefore?.firstOffset, stop: .rowErrors([error]))
    }

    // MARK: Calls

    /// Runs one call with the routing header and a bearer token; UNAUTHENTICATED once means the token
    /// went stale (revoked, clock skew): drop it and try again with a new one. A second refusal is final.
    private func call<Result: Sendable>(
        _ operation: String, routing: (key: String, value: String), stream: String? = nil, table: String? = nil,
        _ body: @Sendable (Metadata) async throws -> Result
    ) async throws -> Result {
        var refreshed = false
        while true {
            var metadata: Metadata = ["x-goog-request-params": "\(routing.key)=\(Self.routingEncoded(routing.value))"]
            let token = try await tokens?.token()
            if let token { metadata.addString("Bearer \(token.value)", forKey: "authorization") }
            do {
                return try await body(metadata)
            } catch let error as RPCError {
                if error.code == .unauthenticated, let token, let tokens, !refreshed {
                    await tokens.invalidate(token)
                    refreshed = true
                    continue
                }
                throw StorageWriteError(code: error.code.rawValue, message: error.message, operation: operation, stream: stream, table: table)
            } catch var error as StorageWriteError {
                if error.stream == nil { error.stream = stream }
                if error.table == nil { error.table = table }
                throw error
            }
        }
    }

    /// Google's routing header percent-encodes its values, keeping `/` (resource names are paths).
    static func routingEncoded(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: routingAllowed) ?? value
    }

    /// ASCII letters and digits only: `CharacterSet.alphanumerics` would let other scripts' letters through unencoded.
    private static let routingAllowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/")

    private static func info(_ stream: Google_Cloud_Bigquery_Storage_V1_WriteStream) -> WriteStreamInfo {
        WriteStreamInfo(name: stream.name, type: WriteStreamType(rawValue: stream.type.rawValue),
                        createTime: stream.hasCreateTime ? stream.createTime.date : nil,
                        commitTime: stream.hasCommitTime ? stream.commitTime.date : nil)
    }
}
