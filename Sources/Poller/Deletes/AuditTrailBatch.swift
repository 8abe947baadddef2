/// The audit-trail passes of one run, one per session: every stream of the run whose deletes come from
/// AUDITHISTORY checks in once its incremental read is over, and when the last stream of a session has
/// checked in, one read of the trail serves all of them (`AuditTrailDeletes` with several targets).
/// Reading it per stream cost a request per stream, the same again as the incremental run itself.
///
/// Only for runs whose streams all run at once: a stream waits here for the others of its session,
/// which must not be waiting for its task slot.
actor AuditTrailBatch {
    typealias Outcome = AuditTrailDeletes.Outcome

    private let context: PollerContext
    /// Per session: streams that have not checked in yet.
    private var pending: [String: Int] = [:]
    /// Per session: streams that asked for the pass.
    private var joined: [String: [PollTarget]] = [:]
    private var waiters: [String: [(id: String, continuation: CheckedContinuation<Result<Outcome, any Error>, Never>)]] = [:]

    /// `targets`: every stream of the run; those whose deletes are not read from the audit trail are left out.
    init(context: PollerContext, targets: [PollTarget]) {
        self.context = context
        for target in targets where target.deleteDetection == .auditHistory {
            pending[Self.session(of: target), default: 0] += 1
        }
    }

    static func session(of target: PollTarget) -> String { target.sessionEntity ?? "" }

    /// Checks a stream in, exactly once per stream with audit-trail deletes. With `read` false (its
    /// incremental read failed, it was a first backfill, or shutdown began) it only stops being waited
    /// for, and gets nil. Otherwise it gets its share of the session's pass once every stream of the
    /// session checked in: its outcome, or the error that stopped the pass.
    func pass(for target: PollTarget, read: Bool) async -> Result<Outcome, any Error>? {
        let session = Self.session(of: target)
        if read { joined[session, default: []].append(target) }
        pending[session, default: 1] -= 1
        if pending[session, default: 0] > 0 {
            guard read else { return nil }
            return await withCheckedContinuation { continuation in
                waiters[session, default: []].append((target.id, continuation))
            }
        }
        // The last stream of the session: read for every one that asked.
        let members = joined.removeValue(forKey: session) ?? []
        var results: [String: Result<Outcome, any Error>] = [:]
        if !members.isEmpty {
            do {
                let outcomes = try await AuditTrailDeletes(context: context, targets: members).run()
                for member in members { results[member.id] = .success(outcomes[member.id] ?? Outcome()) }
            } catch {
                for member in members { results[member.id] = .failure(error) }
            }
        }
        for waiter in waiters.removeValue(forKey: session) ?? [] {
            waiter.continuation.resume(returning: results[waiter.id] ?? .success(Outcome()))
        }
        return read ? results[target.id] ?? .success(Outcome()) : nil
    }
}
