import Foundation

/// One record version as `GET /admin/records` lists it.
public struct SandboxRecordVersion: Sendable, Codable, Equatable {
    public var recordno: String
    /// `MM/DD/YYYY HH:MM:SS`; for a deleted record, the time of deletion.
    public var whenmodified: String
    public var deleted: Bool
}

/// A custom field added at run time, as `POST /admin/schema/add_field` answers.
public struct SandboxAddedField: Sendable, Codable, Equatable {
    public var object: String
    public var field: String
    /// Intacct DATATYPE (TEXT, ENUM, INTEGER, DECIMAL, PERCENT, BOOLEAN, DATE, TIMESTAMP).
    public var type: String
    /// Sandbox clock when added: records modified at or after it carry values for the field.
    public var addedAt: String

    enum CodingKeys: String, CodingKey { case object, field, type, addedAt = "added_at" }
}

/// The admin endpoints of docs/sandbox-company.md (JSON over HTTP on the gateway's port), for tests, the
/// demo and benchmarks. Every operation is also a method here, which `SandboxServer` exposes to Swift.
struct AdminAPI: Sendable {
    let state: SandboxState

    struct Reply {
        var status: Int
        var contentType = "application/json"
        var body: [UInt8]
    }

    func handle(method: String, path: String, query: [String: String], body: Data) -> Reply {
        do {
            switch (method, path) {
            case ("GET", "/admin/health"):
                return json(["status": "ok"])
            case ("GET", "/admin/totals"):
                return try encode(totals())
            case ("GET", "/admin/totals/gl"):
                return try encode(glBalances())
            case ("GET", "/admin/totals/trialbalance"):
                return try encode(try trialBalance(start: query["start"], end: query["end"]))
            case ("GET", "/admin/records"):
                let records = try self.records(object: query["object"] ?? "", entity: query["entity"] ?? "top")
                var out = ""
                for r in records {
                    out += #"{"recordno":"\#(r.recordno)","whenmodified":"\#(r.whenmodified)","deleted":\#(r.deleted)}"# + "\n"
                }
                return Reply(status: 200, contentType: "application/x-ndjson", body: Array(out.utf8))
            case ("GET", "/admin/clock"):
                return json(["now": IntacctTime.timestamp(state.locked { $0.now })])
            case ("POST", "/admin/clock"):
                let request = try decode(ClockRequest.self, body)
                return json(["now": advanceClock(seconds: request.advanceSeconds ?? 0)])
            case ("POST", "/admin/mutate"):
                let request = try decode(MutateRequest.self, body)
                return try encode(try mutate(object: request.object, entity: request.entity ?? "", modify: request.modify ?? 0, delete: request.delete ?? 0))
            case ("POST", "/admin/schema/add_field"):
                let request = try decode(AddFieldRequest.self, body)
                return try encode(try addField(object: request.object, field: request.field, type: request.type ?? "TEXT"))
            case ("POST", "/admin/faults"):
                let fault = try decode(SandboxFault.self, body)
                let active = state.locked { s -> Int in
                    s.faultInjector.add(fault)
                    return s.faultInjector.active.count
                }
                return Reply(status: 200, body: Array(#"{"active":\#(active)}"#.utf8))
            case ("GET", "/admin/faults"):
                return try encode(state.locked { $0.faultInjector.active })
            case ("DELETE", "/admin/faults"):
                state.locked { $0.faultInjector.clear() }
                return Reply(status: 200, body: Array(#"{"active":0}"#.utf8))
            case ("GET", "/admin/stats"):
                return try encode(state.locked { $0.counters })
            case ("POST", "/admin/stats/reset"):
                resetStats()
                return try encode(state.locked { $0.counters })
            default:
                return Reply(status: 404, body: Array(#"{"error":"no admin endpoint \#(method) \#(path)"}"#.utf8))
            }
        } catch let error as AdminError {
            return Reply(status: 400, body: errorBody(error.message))
        } catch let error as SandboxMutationError {
            return Reply(status: 400, body: errorBody(error.description))
        } catch {
            return Reply(status: 400, body: errorBody("bad request: \(error)"))
        }
    }

    // MARK: Operations shared with the Swift API

    func totals() -> SandboxTotals {
        let snapshot = state.locked { $0.snapshot }
        if let cached = state.locked({ $0.cachedTotals(generation: snapshot.state.generation) }) { return cached }
        let totals = snapshot.totals()
        state.locked { $0.cacheTotals(totals, generation: snapshot.state.generation) }
        return totals
    }

    func glBalances() -> [SandboxGLBalance] {
        state.locked { $0.snapshot }.glBalances()
    }

    /// Every entity's trial balance over `start`…`end` (`MM/DD/YYYY`, inclusive; open-ended when absent).
    func trialBalance(start: String?, end: String?) throws -> [SandboxTrialBalanceLine] {
        var request = TrialBalanceRequest()
        if let start {
            guard let t = IntacctTime.parse(start) else { throw AdminError(message: "start must be MM/DD/YYYY, not '\(start)'") }
            request.firstDay = t / 86_400
        }
        if let end {
            guard let t = IntacctTime.parse(end) else { throw AdminError(message: "end must be MM/DD/YYYY, not '\(end)'") }
            request.lastDay = t / 86_400
        }
        return state.locked { $0.snapshot }.trialBalance(entities: [1, 2, 3], request)
    }

    func records(object name: String, entity entityID: String) throws -> [SandboxRecordVersion] {
        guard let object = SandboxObject(name: name) else { throw AdminError(message: "unknown object '\(name)'") }
        let entity = try entityIndex(entityID.isEmpty ? "top" : entityID)
        let snapshot = state.locked { $0.snapshot }
        if object == .AUDITHISTORY {
            return snapshot.state.audit.filter { $0.entity == entity }.map {
                SandboxRecordVersion(recordno: String($0.id), whenmodified: IntacctTime.timestamp($0.accessTime), deleted: false)
            }
        }
        return (0..<snapshot.layout.count(object, entity: entity)).map { i in
            SandboxRecordVersion(recordno: snapshot.recordNo(object, entity: entity, index: i),
                                 whenmodified: IntacctTime.timestamp(snapshot.whenModified(object, entity: entity, index: i)),
                                 deleted: snapshot.isDeleted(object, entity: entity, index: i))
        }
    }

    func advanceClock(seconds: Int) -> String {
        IntacctTime.timestamp(state.locked { $0.advanceClock(seconds: Int64(seconds)) })
    }

    func mutate(object name: String, entity entityID: String, modify: Int, delete: Int) throws -> SandboxMutation {
        guard let object = SandboxObject(name: name) else { throw AdminError(message: "unknown object '\(name)'") }
        let entity = try entityIndex(entityID.isEmpty ? (object.level == .top ? "top" : "") : entityID)
        return try state.locked { try $0.mutate(object: object, entity: entity, modify: modify, delete: delete) }
    }

    func addField(object name: String, field: String, type typeName: String) throws -> SandboxAddedField {
        guard let object = SandboxObject(name: name), object != .AUDITHISTORY else { throw AdminError(message: "unknown object '\(name)'") }
        guard let type = FieldType(rawValue: typeName.uppercased()) else {
            let known = FieldType.allCases.map(\.rawValue).joined(separator: ", ")
            throw AdminError(message: "unknown type '\(typeName)' (use \(known))")
        }
        let upper = field.uppercased()
        guard let first = upper.first, first.isLetter, upper.allSatisfy({ ($0.isLetter && $0.isASCII) || $0.isNumber || $0 == "_" }) else {
            throw AdminError(message: "field '\(field)' must start with a letter and hold only letters, digits and _")
        }
        guard let added = state.locked({ $0.addField(upper, type: type, to: object) }) else {
            throw AdminError(message: "\(object.rawValue) already has a field \(upper)")
        }
        return SandboxAddedField(object: object.rawValue, field: added.name, type: type.rawValue,
                                 addedAt: IntacctTime.timestamp(added.addedAt))
    }

    func resetStats() {
        state.locked { s in
            var fresh = SandboxStats()
            fresh.inFlight = s.counters.inFlight
            fresh.maxInFlight = s.counters.inFlight
            s.counters = fresh
        }
    }

    // MARK: Plumbing

    private func entityIndex(_ id: String) throws -> Int {
        guard let index = CompanyLayout.entityIDs.firstIndex(where: { $0.uppercased() == id.uppercased() }) else {
            throw AdminError(message: "unknown entity '\(id)' (use top, E100, E200 or E300)")
        }
        return index
    }

    private struct AdminError: Error { var message: String }

    private struct ClockRequest: Decodable {
        var advanceSeconds: Int?
        enum CodingKeys: String, CodingKey { case advanceSeconds = "advance_seconds" }
    }

    private struct AddFieldRequest: Decodable {
        var object: String
        var field: String
        var type: String?
    }

    private struct MutateRequest: Decodable {
        var object: String
        var entity: String?
        var modify: Int?
        var delete: Int?
    }

    private func decode<T: Decodable>(_ type: T.Type, _ body: Data) throws -> T {
        do { return try JSONDecoder().decode(type, from: body) } catch {
            throw AdminError(message: "invalid JSON body for \(T.self): \(error)")
        }
    }

    private func encode<T: Encodable>(_ value: T) throws -> Reply {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Reply(status: 200, body: Array(try encoder.encode(value)))
    }

    private func json(_ object: [String: String]) -> Reply {
        (try? encode(object)) ?? Reply(status: 500, body: [])
    }

    private func errorBody(_ message: String) -> [UInt8] {
        (try? Array(JSONEncoder().encode(["error": message]))) ?? []
    }
}
