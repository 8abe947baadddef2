import Foundation

/// What `SandboxState`'s lock guards: the company, sessions, faults, counters and cursors. Work on records
/// happens outside the lock on a `CompanySnapshot` value, so the lock is only held for bookkeeping.
struct SandboxLockedState {
    let configuration: SandboxConfiguration
    let layout: CompanyLayout

    private var company: CompanyState
    private var sessions = SessionStore()
    private var faults = FaultInjector()
    private var stats = SandboxStats()
    private var cursors: [String: ResultCursor] = [:]
    private var cursorOrder: [String] = []
    private var cursorCounter = 0
    private var totalsCache: (generation: Int, totals: SandboxTotals)?

    init(configuration: SandboxConfiguration, layout: CompanyLayout) {
        self.configuration = configuration
        self.layout = layout
        company = CompanyState(now: IntacctTime.defaultClockStart)
    }

    // MARK: Company

    var snapshot: CompanySnapshot { CompanySnapshot(layout: layout, state: company) }
    var now: Int64 { company.now }

    mutating func advanceClock(seconds: Int64) -> Int64 {
        company.now += max(0, seconds)
        return company.now
    }

    mutating func mutate(object: SandboxObject, entity: Int, modify: Int, delete: Int) throws -> SandboxMutation {
        try company.mutate(layout: layout, object: object, entity: entity, modify: modify, delete: delete)
    }

    /// Adds a custom field to `object` at the current clock time (schema drift); nil if the object
    /// already has a field of that name.
    mutating func addField(_ name: String, type: FieldType, to object: SandboxObject) -> AddedField? {
        guard object.schema.field(named: name) == nil, !(company.addedFields[object] ?? []).contains(where: { $0.name == name }) else {
            return nil
        }
        let field = AddedField(name: name, type: type, addedAt: company.now)
        company.addedFields[object, default: []].append(field)
        return field
    }

    // MARK: Sessions, faults, stats

    mutating func createSession(entity: Int) -> SessionStore.Session {
        stats.sessionsCreated += 1
        return sessions.create(entity: entity, now: company.now)
    }

    mutating func authenticate(session id: String) -> SessionStore.Session? {
        sessions.authenticate(id, now: company.now, duration: configuration.sessionSeconds)
    }

    mutating func expireSession(_ id: String) { sessions.expire(id) }

    var faultInjector: FaultInjector {
        get { faults }
        set { faults = newValue }
    }

    var counters: SandboxStats {
        get { stats }
        set { stats = newValue }
    }

    // MARK: readByQuery cursors

    mutating func storeCursor(_ cursor: ResultCursor) -> String {
        cursorCounter += 1
        let id = "\(cursorCounter)SBX" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        cursors[id] = cursor
        cursorOrder.append(id)
        // Abandoned cursors would pile up: keep the most recent few hundred, as a real result id also expires.
        if cursorOrder.count > 500 { cursors[cursorOrder.removeFirst()] = nil }
        return id
    }

    func cursor(_ id: String) -> ResultCursor? { cursors[id] }

    mutating func updateCursor(_ id: String, _ cursor: ResultCursor?) {
        cursors[id] = cursor
        if cursor == nil { cursorOrder.removeAll { $0 == id } }
    }

    // MARK: Totals (computed outside the lock, cached per generation)

    func cachedTotals(generation: Int) -> SandboxTotals? {
        totalsCache.flatMap { $0.generation == generation ? $0.totals : nil }
    }

    mutating func cacheTotals(_ totals: SandboxTotals, generation: Int) {
        totalsCache = (generation, totals)
    }
}
