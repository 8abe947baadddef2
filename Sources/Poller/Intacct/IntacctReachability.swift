import Foundation
import Operations

/// Whether Intacct's gateway answers, for `/readyz`, without spending Intacct's rate limit on it.
///
/// Every exchange the gateway makes records its outcome here, so while the poller is reading the
/// answer is simply the latest one. Only when nothing was heard for `freshness` does `unreachable`
/// send a probe of its own (one at a time, whoever asks), and its outcome counts as a contact too:
/// however often `/readyz` is asked, Intacct sees at most one probe per `freshness`.
public actor IntacctReachability {
    /// Sends one probe and returns why the gateway is unreachable, or nil if it answered.
    public typealias Probe = @Sendable () async -> IntacctError?

    private struct Contact {
        var at: ContinuousClock.Instant
        var failure: IntacctError?
    }

    public nonisolated let freshness: Duration
    private let clock: any ServiceClock
    private var last: Contact?
    private var probing: Task<IntacctError?, Never>?

    public init(freshness: Duration = .seconds(30), clock: any ServiceClock = .system) {
        self.freshness = freshness
        self.clock = clock
    }

    /// Notes the outcome of one exchange with the gateway: nil when it answered.
    public func record(_ failure: IntacctError?) {
        last = Contact(at: clock.now, failure: failure)
    }

    /// Why the gateway is unreachable, or nil if it answered within `freshness` (probing with `probe`
    /// when nothing was heard that recently).
    public func unreachable(probe: @escaping Probe) async -> IntacctError? {
        if let last, clock.now - last.at < freshness { return last.failure }
        if let probing { return await probing.value }
        let task = Task { await probe() }
        probing = task
        let failure = await task.value
        probing = nil
        record(failure)
        return failure
    }

    /// Whether an error means the gateway did not answer as a gateway (rather than refused a request).
    /// A 429 or an application error is an answer: the poller retries or audits those itself.
    public static func meansUnreachable(_ error: IntacctError) -> Bool {
        switch error {
        case .transport, .serverError, .htmlErrorPage: true
        default: false
        }
    }
}
