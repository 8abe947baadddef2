/// One page of rows from `query` or `readByQuery`/`readMore`.
///
/// Rows are decoded eagerly while the body is parsed: a page is at most 2000 rows, and handing out
/// plain values keeps the body's bytes from living as long as the page (see the xml-parse benchmark).
public struct IntacctPage: Sendable {
    public var object: String
    public var rows: [IntacctRow]
    /// Rows matching the query in total, when Intacct said.
    public var totalCount: Int?
    /// Rows delivered before this page.
    public var offset: Int
    /// Rows still to come after this page.
    public var numRemaining: Int
    /// XML-invalid characters removed from this page's body before parsing (for logs and metrics).
    public var sanitizedCharacters: Int

    public init(object: String, rows: [IntacctRow], totalCount: Int?, offset: Int, numRemaining: Int, sanitizedCharacters: Int = 0) {
        self.object = object
        self.rows = rows
        self.totalCount = totalCount
        self.offset = offset
        self.numRemaining = numRemaining
        self.sanitizedCharacters = sanitizedCharacters
    }

    /// The page a function's result makes, `offset` rows into the stream.
    init(object: String, result: IntacctResponse.Result, offset: Int, sanitizedCharacters: Int) {
        self.init(object: object, rows: result.rows, totalCount: result.data?.totalCount, offset: offset,
                  numRemaining: result.data?.numRemaining ?? 0, sanitizedCharacters: sanitizedCharacters)
    }
}
