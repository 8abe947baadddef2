/// Takes a response body as it arrives instead of letting the client collect it, so a caller that can
/// consume bytes incrementally (a streaming parser) never holds the whole body. Bytes arrive already
/// decoded from gzip or deflate, in libcurl's chunks (up to 16 KiB), on the client's transfer thread:
/// a sink must not block, and it must not be touched by anyone else until `send` returns.
public protocol HTTPBodySink: AnyObject, Sendable {
    /// Called once, before the first byte, when the status and headers (names lowercased) are known.
    /// Not called for an empty body.
    func begin(status: Int, headers: [String: String])
    /// Called for every chunk of the body, in order.
    func receive(_ bytes: UnsafeRawBufferPointer)
}
