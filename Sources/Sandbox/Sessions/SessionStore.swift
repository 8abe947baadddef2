import Foundation

/// API sessions with Intacct's sliding idle timeout: every authenticated call moves the expiry to
/// now + duration, measured on the sandbox clock (which only moves when told).
struct SessionStore {
    struct Session {
        var id: String
        /// 0 = top level, 1...3 = E100...E300.
        var entity: Int
        var lastUsed: Int64
    }

    private var sessions: [String: Session] = [:]
    private var counter = 0

    mutating func create(entity: Int, now: Int64) -> Session {
        counter += 1
        // Unpredictable like a real session id, and unique across sandboxes started with the same seed.
        let token = UUID().uuidString.replacingOccurrences(of: "-", with: "")
        let session = Session(id: "SBX\(counter)-\(token)..", entity: entity, lastUsed: now)
        sessions[session.id] = session
        return session
    }

    /// The session if it exists and has not been idle longer than `duration`; using it slides the timeout.
    mutating func authenticate(_ id: String, now: Int64, duration: Int64) -> Session? {
        guard var session = sessions[id] else { return nil }
        guard now <= session.lastUsed + duration else {
            sessions[id] = nil
            return nil
        }
        session.lastUsed = now
        sessions[id] = session
        return session
    }

    mutating func expire(_ id: String) {
        sessions[id] = nil
    }
}
