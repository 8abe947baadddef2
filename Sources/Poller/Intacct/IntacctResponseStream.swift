import Foundation
import HTTP

/// Reads a gateway answer while libcurl receives it. A page of 2000 rows is about 2 MB of XML; parsed
/// from a collected body, two such bodies (one per request slot) sat in memory beside the rows made
/// from them, the largest piece of the poller's peak. Here each chunk goes to the XML reader as it
/// arrives and is dropped, so only the rows remain.
///
/// Only a body that `IntacctGateway.interpret` would parse as a response is streamed: a status below
/// 400 whose first bytes say XML. Anything else (HTML error pages, 4xx/5xx, bodies too short to tell)
/// is collected and classified exactly as before, which keeps one set of rules for errors.
// @unchecked Sendable: the libxml2 parse state is touched by the HTTP transfer thread while the transfer runs, then only by the caller after `send` returned (the continuation orders the two).
public final class IntacctResponseStream: HTTPBodySink, @unchecked Sendable {
    private enum Mode {
        /// Status not yet known, or too few bytes to tell what the body is.
        case sniffing
        /// An XML envelope, going to the reader.
        case parsing(IntacctResponseReader.Pass)
        /// The reader gave up; the rest of the body is drained and dropped, so the connection stays usable.
        case failed(XMLStreamError)
        /// Not for streaming: kept whole for `IntacctGateway.interpret`.
        case collecting
    }

    private var mode = Mode.sniffing
    private var status = 0
    private var collected = Data()

    /// `IntacctGateway.BodyKind` looks at this many leading bytes.
    private static let sniffBytes = 512

    public init() {}

    public func begin(status: Int, headers: [String: String]) {
        self.status = status
        if status >= 400 { mode = .collecting }
    }

    public func receive(_ bytes: UnsafeRawBufferPointer) {
        switch mode {
        case .collecting:
            collected.append(contentsOf: bytes)
        case .sniffing:
            collected.append(contentsOf: bytes)
            guard collected.count >= Self.sniffBytes else { return }
            guard IntacctGateway.BodyKind(collected) == .xml else {
                mode = .collecting
                return
            }
            let head = collected
            collected = Data()
            do {
                let pass = try IntacctResponseReader.Pass()
                mode = .parsing(pass)
                try head.withUnsafeBytes { try pass.feed($0) }
            } catch {
                mode = .failed(Self.streamError(error))
            }
        case let .parsing(pass):
            do {
                try pass.feed(bytes)
            } catch {
                mode = .failed(Self.streamError(error))
            }
        case .failed:
            return
        }
    }

    /// Whether the body is going (or went) to the reader as it arrived, rather than being collected.
    var isParsingAsItArrives: Bool {
        switch mode {
        case .parsing, .failed: true
        case .sniffing, .collecting: false
        }
    }

    /// The parsed envelope, once `send` returned `http` for this body; throws what `interpret` throws.
    public func response(to http: HTTPResponse) throws -> IntacctResponse {
        switch mode {
        case .sniffing, .collecting:
            var whole = http
            whole.body = collected
            collected = Data()
            return try IntacctGateway.interpret(whole)
        case let .parsing(pass):
            mode = .collecting
            let response: IntacctResponse
            do {
                response = try pass.finish()
            } catch {
                throw IntacctError.malformedResponse(status: http.status, detail: Self.streamError(error).description)
            }
            return try IntacctGateway.accept(response, http: http)
        case let .failed(error):
            throw IntacctError.malformedResponse(status: http.status, detail: error.description)
        }
    }

    /// The reader throws only `XMLStreamError` without a row handler; anything else is worded as one.
    private static func streamError(_ error: any Error) -> XMLStreamError {
        (error as? XMLStreamError) ?? .malformed(String(describing: error))
    }
}
