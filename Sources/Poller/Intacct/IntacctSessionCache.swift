import Foundation
import Operations

/// Sessions per entity (`nil` = top level), shared by every caller of one company.
///
/// A session is reused until it is `maxAge` old or Intacct's idle timeout (as of the last response)
/// would pass, whichever is sooner. Callers that need a session while one is being opened wait for that
/// same getAPISession call instead of logging in again.
public actor IntacctSessionCache {
    /// Opens a session; returns it and Intacct's idle timeout if the response stated one.
    public typealias Opener = @Sendable () async throws -> (IntacctAPISession, idleTimeout: Duration?)

    private struct Entry {
        var session: IntacctAPISession
        var created: ContinuousClock.Instant
        var expires: ContinuousClock.Instant
    }

    private let maxAge: Duration
    /// The poller's clock, so a test can age a session. Ages are monotonic: a host clock stepped back
    /// does not keep a session past its age (Intacct would refuse it and `call` would renew it once).
    private let clock: any ServiceClock
    private var entries: [String: Entry] = [:]
    private var opening: [String: Task<IntacctAPISession, Error>] = [:]
    /// getAPISession calls made, for tests and metrics.
    public private(set) var sessionsOpened = 0

    public init(maxAge: Duration = .seconds(50 * 60), clock: any ServiceClock = .system) {
        self.maxAge = maxAge
        self.clock = clock
    }

    /// A live session for `entity`, opening one with `open` if needed.
    public func session(for entity: String?, open: @escaping Opener) async throws -> IntacctAPISession {
        let key = Self.key(entity)
        if let entry = entries[key], clock.now < entry.expires { return entry.session }
        entries[key] = nil
        if let pending = opening[key] { return try await pending.value }
        let task = Task { () throws -> IntacctAPISession in
            let (session, idle) = try await open()
            self.store(session, idleTimeout: idle, key: key)
            return session
        }
        opening[key] = task
        defer { opening[key] = nil }
        return try await task.value
    }

    /// Forgets `sessionID` for `entity` (after Intacct refused it). A newer session is left alone.
    public func invalidate(entity: String?, sessionID: String) {
        let key = Self.key(entity)
        if entries[key]?.session.sessionID == sessionID { entries[key] = nil }
    }

    /// Intacct's idle timeout slides on every call: move the expiry with it, never past `maxAge`.
    public func touch(entity: String?, sessionID: String, idleTimeout: Duration) {
        let key = Self.key(entity)
        guard var entry = entries[key], entry.session.sessionID == sessionID else { return }
        entry.expires = min(entry.created + maxAge, clock.now + Self.withMargin(idleTimeout))
        entries[key] = entry
    }

    private func store(_ session: IntacctAPISession, idleTimeout: Duration?, key: String) {
        sessionsOpened += 1
        let now = clock.now
        var expires = now + maxAge
        if let idleTimeout { expires = min(expires, now + Self.withMargin(idleTimeout)) }
        entries[key] = Entry(session: session, created: now, expires: expires)
    }

    // Renew a little before Intacct would: a request in flight at the very edge would otherwise fail.
    private static func withMargin(_ idle: Duration) -> Duration {
        idle - min(.seconds(60), idle / 10)
    }

    private static func key(_ entity: String?) -> String { entity.map { "entity:" + $0 } ?? "top" }
}
