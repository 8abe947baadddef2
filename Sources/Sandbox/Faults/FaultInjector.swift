/// The active fault rules and their remaining counts. Request-level faults (latency, HTTP errors, broken
/// bodies) fire when any function of the request matches a rule; function-level ones per function.
struct FaultInjector {
    private struct Rule {
        var fault: SandboxFault
        var remaining: Int
        var calls = 0
    }

    private var rules: [Rule] = []

    mutating func add(_ fault: SandboxFault) {
        rules.append(Rule(fault: fault, remaining: fault.times == 0 ? 1 : fault.times))
    }

    mutating func clear() { rules.removeAll() }

    var active: [SandboxFault] { rules.map(\.fault) }

    private static func matches(_ fault: SandboxFault, _ function: GatewayFunction, object: String?) -> Bool {
        if let wanted = fault.object, wanted.uppercased() != (object ?? function.objectName)?.uppercased() { return false }
        if let wanted = fault.function, wanted.lowercased() != function.name.lowercased() { return false }
        return true
    }

    /// Consumes one firing of the first rule of one of `kinds` that matches any of the functions.
    mutating func take(_ kinds: Set<SandboxFault.Kind>, functions: [GatewayFunction]) -> SandboxFault? {
        for i in rules.indices where kinds.contains(rules[i].fault.kind) {
            if functions.contains(where: { Self.matches(rules[i].fault, $0, object: nil) }) {
                return consume(i)
            }
        }
        return nil
    }

    /// Consumes one firing of a function-level rule (`application_error`, `flaky_audit_history`).
    mutating func take(_ kind: SandboxFault.Kind, function: GatewayFunction, object: String?) -> SandboxFault? {
        for i in rules.indices where rules[i].fault.kind == kind {
            if kind == .flakyAuditHistory && object?.uppercased() != SandboxObject.AUDITHISTORY.rawValue { continue }
            if Self.matches(rules[i].fault, function, object: object) { return consume(i) }
        }
        return nil
    }

    /// Counts a session-authenticated request against `session_expiry` rules; true when this request's
    /// session must be treated as expired.
    mutating func sessionExpires(functions: [GatewayFunction]) -> Bool {
        for i in rules.indices where rules[i].fault.kind == .sessionExpiry {
            guard functions.contains(where: { Self.matches(rules[i].fault, $0, object: nil) }) else { continue }
            if rules[i].calls >= (rules[i].fault.afterCalls ?? 0) {
                rules[i].calls = 0
                _ = consume(i)
                return true
            }
            rules[i].calls += 1
        }
        return false
    }

    private mutating func consume(_ i: Int) -> SandboxFault {
        let fault = rules[i].fault
        if rules[i].remaining > 0 {
            rules[i].remaining -= 1
            if rules[i].remaining == 0 { rules.remove(at: i) }
        }
        return fault
    }
}
