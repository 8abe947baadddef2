/// Why BigQuery refused one row, kept as BigQuery said it so a dead letter can be filtered and counted
/// by reason or column without parsing text.
///
/// Two ways a row is refused: BigQuery lists it in insertAll's `insertErrors` (`index` is its position
/// in that request, `status` is nil), or a request fails as a whole and bisecting leaves this row
/// alone in it (`status` is that request's HTTP status, `index` is nil).
public struct BigQueryRejection: Sendable, Equatable, CustomStringConvertible {
    /// Google's reason (`invalid`, `invalidQuery`, `internalError`...); nil when the answer had none.
    public var reason: String?
    /// The column or parameter BigQuery blamed, when it named one.
    public var location: String?
    public var message: String
    /// The row's index in the insertAll request BigQuery answered.
    public var index: Int?
    /// The HTTP status of a request that failed for this row alone.
    public var status: Int?

    public init(reason: String?, location: String?, message: String, index: Int?, status: Int?) {
        self.reason = reason
        self.location = location
        self.message = message
        self.index = index
        self.status = status
    }

    /// A row BigQuery listed in `insertErrors`.
    public init(_ error: RowInsertError) {
        self.init(reason: error.decisive?.reason, location: error.location, message: error.message, index: error.index, status: nil)
    }

    /// A request that failed as a whole while it held only this row.
    public init(_ error: BigQueryError) {
        let message = error.bodyExcerpt.map { "\(error.message): \($0)" } ?? error.message
        self.init(reason: error.reason, location: error.location, message: message, index: nil, status: error.status)
    }

    /// The human-readable form, built from the fields (the dead letter's `detail`).
    public var description: String {
        var text = "BigQuery rejected the row"
        if let index { text += " (index \(index) of the request)" }
        if let status { text += " (HTTP \(status) for a request of this row alone)" }
        text += ": \(reason ?? "no reason given")"
        if let location { text += " at \(location)" }
        if !message.isEmpty { text += ": \(message)" }
        return text
    }
}
