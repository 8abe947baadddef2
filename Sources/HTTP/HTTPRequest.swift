import Foundation

/// One HTTP request as the rest of the code sees it: no libcurl types leak past this folder.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    /// Header names as they go on the wire; order is kept.
    public var headers: [(name: String, value: String)]
    public var body: Data
    /// Whole-request deadline (connect, send, wait, receive).
    public var timeout: Duration

    public init(
        method: String = "GET",
        url: String,
        headers: [(name: String, value: String)] = [],
        body: Data = Data(),
        timeout: Duration = .seconds(60)
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}
