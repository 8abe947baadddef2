/// Pages read from Intacct and not yet acknowledged by Kafka, across every stream of the poller: what
/// bounds the poller's memory, whatever the number of streams or the size of the company.
///
/// A stream takes a page before it asks Intacct for it and gives it back once Kafka acknowledged the
/// page's records (or the page was dropped). Prefetching only ever *tries* to take one, so a stream that
/// holds a fetched page never waits on the budget before handing that page to Kafka: every page the
/// budget counts is on its way to an acknowledgement, and the budget cannot deadlock.
public actor PageBudget {
    public nonisolated let capacity: Int
    private var taken = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Pages currently held.
    public var held: Int { taken }

    /// Takes a page if one is free.
    public func tryTake() -> Bool {
        guard taken < capacity else { return false }
        taken += 1
        return true
    }

    /// Takes a page, waiting (first come, first served) for one to be given back.
    public func take() async {
        if taken < capacity {
            taken += 1
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    /// Gives a page back, to the longest waiter if there is one.
    public func give() {
        if waiters.isEmpty {
            taken = max(0, taken - 1)
        } else {
            waiters.removeFirst().resume()
        }
    }
}
