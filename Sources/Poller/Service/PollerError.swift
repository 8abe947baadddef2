/// What the poller itself can fail with (Intacct's and Kafka's errors keep their own types).
public enum PollerError: Error, Sendable, CustomStringConvertible {
    /// A topic could not be read to its end in time (the broker is unreachable or the group never formed).
    case topicReadTimedOut(topic: String, after: Duration)
    /// A page of rows carried no row with a usable WHENMODIFIED and RECORDNO, so paging cannot advance.
    case pageWithoutPosition(entity: String, object: String, rows: Int)
    /// A page's rows do not add up to the `count` it announced (rows named other than its `listtype`
    /// are not rows to the reader): publishing what was read would quietly drop the rest.
    case pageRowCountMismatch(entity: String, object: String, count: Int, rows: Int, listType: String)
    /// A page with no rows said rows remain: paging can neither advance nor stop honestly.
    case emptyPageWithRowsRemaining(entity: String, object: String, numRemaining: Int)
    /// A page did not move past the position the previous page ended at: the gateway ignored the keyset
    /// condition, and asking again would read the same rows forever.
    case cursorDidNotMove(entity: String, object: String, time: String, key: String)
    /// The configuration names something the running poller does not poll.
    case unknownTarget(String)

    public var description: String {
        switch self {
        case let .topicReadTimedOut(topic, after): "reading \(topic) to its end took longer than \(after)"
        case let .pageWithoutPosition(entity, object, rows):
            "a page of \(rows) \(object) row(s) in \(entity) had no row with both WHENMODIFIED and RECORDNO; paging cannot continue"
        case let .pageRowCountMismatch(entity, object, count, rows, listType):
            "a page of \(object) in \(entity) announced count=\(count) but held \(rows) row(s) named \(listType.isEmpty ? "as rows" : "<\(listType)>"); the stream stops rather than skip rows"
        case let .emptyPageWithRowsRemaining(entity, object, numRemaining):
            "a page of \(object) in \(entity) held no rows but said \(numRemaining) remain; the stream stops rather than skip them"
        case let .cursorDidNotMove(entity, object, time, key):
            "a page of \(object) in \(entity) did not move past (\(time), \(key)): Intacct ignored the keyset condition; the stream stops instead of looping"
        case let .unknownTarget(what): "nothing configured to poll matches \(what)"
        }
    }
}
