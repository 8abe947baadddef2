import BigQueryStorageAPI
import GRPCCore
import GRPCNIOTransportHTTP2
import SwiftProtobuf
import Synchronization

/// One AppendRows call (an HTTP/2 stream) kept open to one write stream, so that the stream's batches go
/// as requests on it instead of a call each: a call costs about 0.5 ms of client CPU beyond its requests
/// (docs/loader.md, "Cost of a call").
///
/// A request is answered before the next is sent (`send`), so at most one waits at a time. The call
/// ends, and is never used again, when:
/// - `finish()` half-closes it: the server answers what it has and ends the call with its status;
/// - the server ends it (or the connection drops): a request waiting then fails UNAVAILABLE, a request
///   sent afterwards fails with `NotSent` (nothing of it left), so the client sends it on a new call;
/// - a request goes unanswered for the request timeout: it fails DEADLINE_EXCEEDED and the call is
///   cancelled, since its state is unknown;
/// - the task waiting for an answer is cancelled.
///
/// The writer schema travels in the call's first request only, as the API asks.
final class AppendRowsCall: Sendable {
    typealias Request = Google_Cloud_Bigquery_Storage_V1_AppendRowsRequest
    typealias Response = Google_Cloud_Bigquery_Storage_V1_AppendRowsResponse

    /// The write stream every request of the call names.
    let stream: String
    /// The writer schema, serialized: another schema needs another call.
    let descriptorBytes: [UInt8]
    private let descriptor: Google_Protobuf_DescriptorProto
    /// The `authorization` value the call was opened with; after a token refresh a new call is opened.
    let authorization: String?
    private let metadata: Metadata
    private let requestTimeout: Duration
    private let outgoing: AsyncStream<Request>
    private let outgoingContinuation: AsyncStream<Request>.Continuation
    private let state = Mutex(State())

    private struct State {
        /// The caller waiting for the answer to the request in flight.
        var waiting: CheckedContinuation<Response, any Error>?
        /// When the request in flight was sent.
        var sentAt: ContinuousClock.Instant?
        /// Why the call is over; once set, nothing more is sent on it.
        var ended: (any Error)?
        var endedAt: ContinuousClock.Instant?
        var sentSchema = false

        /// The caller waiting for an answer, no longer waiting once taken.
        mutating func takeWaiting() -> CheckedContinuation<Response, any Error>? {
            defer { waiting = nil; sentAt = nil }
            return waiting
        }
    }

    /// The call was over before this request was sent: none of it reached the server.
    struct NotSent: Error {
        var reason: any Error
    }

    init(stream: String, descriptor: Google_Protobuf_DescriptorProto, descriptorBytes: [UInt8], metadata: Metadata, requestTimeout: Duration) {
        self.stream = stream
        self.descriptor = descriptor
        self.descriptorBytes = descriptorBytes
        self.metadata = metadata
        authorization = Self.authorization(in: metadata)
        self.requestTimeout = requestTimeout
        (outgoing, outgoingContinuation) = AsyncStream.makeStream()
    }

    var isEnded: Bool { state.withLock { $0.ended != nil } }

    /// The credentials a call's metadata carries, to tell whether a call was opened with today's token.
    static func authorization(in metadata: Metadata) -> String? {
        metadata[stringValues: "authorization"].first { _ in true }
    }

    /// Sends `request` (with the writer schema if it is the call's first) and returns the server's answer.
    func send(_ request: Request) async throws -> Response {
        var request = request
        let needsSchema = state.withLock { state in
            defer { state.sentSchema = true }
            return !state.sentSchema
        }
        if needsSchema { request.protoRows.writerSchema.protoDescriptor = descriptor }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Response, any Error>) in
                let refusal: (any Error)? = state.withLock { state in
                    if let ended = state.ended { return NotSent(reason: ended) }
                    if state.waiting != nil { return RPCError(code: .internalError, message: "two AppendRows requests in flight on one call") }
                    state.waiting = continuation
                    state.sentAt = .now
                    return nil
                }
                if let refusal {
                    continuation.resume(throwing: refusal)
                } else {
                    outgoingContinuation.yield(request)
                }
            }
        } onCancel: {
            end(with: CancellationError())
        }
    }

    /// Half-closes the call: no more requests; the server ends it once it answered.
    func finish() {
        end(with: RPCError(code: .unavailable, message: "the AppendRows call was closed"))
    }

    /// Runs the call until it ends; `StorageWriteClient.run()` hosts it.
    func run(_ api: Google_Cloud_Bigquery_Storage_V1_BigQueryWrite.Client<HTTP2ClientTransport.Posix>, options: CallOptions) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.exchange(api, options: options) }
            group.addTask { await self.watchDeadline() }
            // Whichever returns first ends the other: the call ended, or a request overran its deadline
            // (then cancelling the call resets its stream).
            await group.next()
            group.cancelAll()
        }
    }

    private func exchange(_ api: Google_Cloud_Bigquery_Storage_V1_BigQueryWrite.Client<HTTP2ClientTransport.Posix>, options: CallOptions) async {
        do {
            try await api.appendRows(
                metadata: metadata, options: options,
                requestProducer: { writer in
                    for await request in self.outgoing { try await writer.write(request) }
                },
                onResponse: { response in
                    // Read to the end, whatever comes: ending the call early would reset its stream, and a
                    // server counts resets (grpc-swift's closes a connection after 200 in 30 seconds).
                    for try await message in response.messages {
                        self.state.withLock { $0.takeWaiting() }?.resume(returning: message)
                    }
                }
            )
            end(with: RPCError(code: .unavailable, message: "the server ended the AppendRows call"))
        } catch {
            end(with: error)
        }
    }

    /// Returns (so the call is cancelled) once a request has waited longer than the request timeout,
    /// failing it, or once a half-closed call has not been ended by the server in that time.
    private func watchDeadline() async {
        let tick = max(requestTimeout / 4, .milliseconds(10))
        while !Task.isCancelled {
            do { try await Task.sleep(for: tick) } catch { return }
            let now = ContinuousClock.now
            let (requestOverdue, endOverdue) = state.withLock { state in
                (state.sentAt.map { now - $0 > requestTimeout } ?? false, state.endedAt.map { now - $0 > requestTimeout } ?? false)
            }
            if requestOverdue {
                end(with: RPCError(code: .deadlineExceeded, message: "no answer to an AppendRows request within \(requestTimeout)"))
                return
            }
            if endOverdue { return }
        }
    }

    /// Marks the call over (the first reason stands), fails the request in flight with `error` and half-closes.
    private func end(with error: any Error) {
        let waiting = state.withLock { state in
            if state.ended == nil {
                state.ended = error
                state.endedAt = .now
            }
            return state.takeWaiting()
        }
        waiting?.resume(throwing: error)
        outgoingContinuation.finish()
    }
}
