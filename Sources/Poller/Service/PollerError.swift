/// What the poller itself can fail with (Intacct's and Kafka's errors keep their own types).
public enum PollerError: Error, Sendable, CustomStringConvertible {
    /// A topic could not be read to its end in time (the broker is unreachable or the group never formed).
    case topicReadTimedOut(topic: String, after: Duration)
    /// A page of rows carried no row with a usable WHENMODIFIED and RECORDNO, so paging cannot advance.
    case pageWithoutPosition(entity: String, object: String, rows: Int)
    /// The configuration names something the running poller does not poll.
    case unknownTarget(String)

    public var description: String {
        switch self {
        case let .topicReadTimedOut(topic, after): "reading \(topic) to its end took longer than \(after)"
        case let .pageWithoutPosition(entity, object, rows):
            "a page of \(rows) \(object) row(s) in \(entity) had no row with both WHENMODIFIED and RECORDNO; paging cannot continue"
        case let .unknownTarget(what): "nothing configured to poll matches \(what)"
        }
    }
}
