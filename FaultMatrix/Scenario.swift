import Foundation
import Sandbox
import TestSupport

/// One fault of issue #10's matrix: what it does to the pipeline during the backfill. The runner adds
/// the rest, the same for every scenario: changes and deletes between two polls, then the audit.
struct Scenario: Sendable {
    /// What a scenario leaves for the audit.
    struct Outcome: Sendable {
        /// Record keys the scenario made untypeable on purpose: they must be on the dead-letter topic
        /// and nowhere else.
        var planted: Set<String> = []
        var notes: [String] = []
        /// A check of its own once the audit is clean (notes to add, or a `StepFailure`).
        var afterAudit: (@Sendable (Fleet) async throws -> [String])?
    }

    let name: String
    let about: String
    /// Loaders authenticate through the sandbox token server (service-account key, bearer tokens).
    var authenticated = false
    let backfill: @Sendable (Fleet) async throws -> Outcome
}

extension Scenario {
    static let all: [Scenario] = [
        gatewayFaults("intacct-429-storm", about: "12 reads answered HTTP 429 (GW-0010, Retry-After: 1)",
                      [SandboxFault(kind: .http429, function: "query", times: 12, retryAfter: 1)]),
        gatewayFaults("intacct-5xx-html", about: "502, 503, 524 and Cloudflare 520 HTML pages instead of XML",
                      [SandboxFault.Kind.http502, .http503, .http524, .cloudflareHTML].map { SandboxFault(kind: $0, function: "query", times: 3) }),
        gatewayFaults("session-expiry", about: "the API session expires mid-backfill, 4 times",
                      [SandboxFault(kind: .sessionExpiry, function: "query", times: 4, afterCalls: 5)]),
        gatewayFaults("truncated-xml", about: "4 pages cut in half mid-row (HTTP 200)",
                      [SandboxFault(kind: .truncatedXML, function: "query", times: 4)]),
        Scenario(name: "control-characters", about: "raw 0x01 0x0B inside a text value of every row of every page") { fleet in
            fleet.sandbox.addFault(SandboxFault(kind: .controlCharacters, function: "query", times: -1))
            try await fleet.startLoaders()
            try await fleet.pollUntilClean()
            return Outcome(afterAudit: { fleet in
                // Keys and money cannot show a dirty value: look at every text cell of every view.
                let (cells, dirty) = try await fleet.textCells(containing: { $0.value < 0x20 && ![9, 10, 13].contains($0.value) })
                guard dirty.isEmpty else { throw StepFailure("\(dirty.count) text values still hold control characters, e.g. \(dirty.prefix(3))") }
                return ["\(cells) text values checked: no control characters left"]
            })
        },
        Scenario(name: "application-error", about: "one APBILL query fails with DL02000001; the next run picks it up") { fleet in
            fleet.sandbox.addFault(SandboxFault(kind: .applicationError, object: "APBILL", function: "query", times: 1,
                                                errorno: "DL02000001", description2: "There was an error processing the request."))
            try await fleet.startLoaders()
            try await fleet.pollUntilClean()
            let runs = await fleet.pollRuns
            guard runs >= 2 else { throw StepFailure("the application error did not fail the first run") }
            return Outcome(notes: try await fleet.expectFired(.applicationError) + ["first run exited 2, run \(runs) clean"])
        },
        Scenario(name: "poller-kill-9", about: "the poller is SIGKILLed half-way through the backfill, then runs again") { fleet in
            // Slow answers stretch the backfill so the kill lands in the middle of it.
            fleet.sandbox.addFault(SandboxFault(kind: .latency, function: "query", times: -1, ms: 250))
            try await fleet.startLoaders()
            // A clean backfill takes a session per entity, a lookup per object and, per stream, a page per
            // page size of records plus the last one; the kill comes half-way through the pages.
            let pages = try WarehouseAudit.expectedPages(fleet.sandbox, pageSize: fleet.options.pageSize)
            let setUp = 4 + Fleet.objects.count
            let killAt = fleet.sandbox.stats().requests + setUp + pages / 2
            let poll = try await fleet.startPoll()
            try await eventually("the backfill is half-way", timeout: .seconds(300), every: .milliseconds(20)) {
                fleet.sandbox.stats().requests >= killAt || !poll.isRunning
            }
            guard poll.isRunning else { throw StepFailure("the backfill ended before the kill; lower --page-size or raise --scale") }
            try await poll.killHard()
            let served = fleet.sandbox.stats().requests
            fleet.sandbox.clearFaults()
            try await fleet.pollUntilClean()
            return Outcome(notes: ["killed after \(served) gateway requests (about \(setUp + pages) in a clean backfill)"])
        },
        Scenario(name: "loader-kill-9", about: "the E100 loader is SIGKILLed mid-load; a new one takes over") { fleet in
            // The whole backfill waits in Kafka first, so the kill lands while E100's loader has batches to do.
            try await fleet.pollUntilClean()
            try await fleet.startLoaders()
            let expected = try WarehouseAudit.expectedRecords(fleet.sandbox).keys.filter { $0.hasPrefix("E100/") }.count
            try await fleet.waitForFlushes(3, entity: "E100")
            try await fleet.killLoader("E100")
            let loadedAtKill = await fleet.loadedRows(entity: "E100")
            guard loadedAtKill < expected else { throw StepFailure("E100 was fully loaded before the kill; lower --batch-rows") }
            try await fleet.startLoader("E100")
            return Outcome(notes: ["killed with \(loadedAtKill) of \(expected) E100 rows loaded"])
        },
        Scenario(name: "bigquery-down", about: "the emulator is killed mid-load and back after the outage, same data") { fleet in
            try await fleet.pollUntilClean()
            try await fleet.startLoaders()
            let expected = try WarehouseAudit.expectedRecords(fleet.sandbox).count
            // E100 holds half the records: its second batch is early in the load.
            try await fleet.waitForFlushes(2, entity: "E100")
            try await fleet.killEmulator()
            let down = ContinuousClock.now
            let flushedBefore = fleet.flushes()
            // The outage lasts its full length (this is the fault, not a wait for readiness).
            try await Task.sleep(until: down + .seconds(fleet.options.outageSeconds))
            try await fleet.checkLoadersAlive()
            try await fleet.startEmulator(empty: false)
            return Outcome(notes: ["down \(fleet.options.outageSeconds) s after \(flushedBefore) batches of the \(expected)-record backfill"],
                           afterAudit: { fleet in
                let after = fleet.flushes() - flushedBefore
                guard after > 0 else { throw StepFailure("nothing was left to load after the outage") }
                return ["\(after) batches flushed after the outage"]
            })
        },
        Scenario(name: "bigquery-lost-replay", about: "the emulator comes back empty; loaders stopped, replay --from earliest") { fleet in
            try await fleet.startLoaders()
            try await fleet.pollUntilClean()
            let expected = try WarehouseAudit.expectedRecords(fleet.sandbox).count
            try await fleet.waitForLoadedRows(atLeast: expected)
            try await fleet.killEmulator()
            try await fleet.startEmulator(empty: true)
            await fleet.stopLoaders()
            for entity in Fleet.loaderEntities { try await fleet.replay(entity: entity) }
            try await fleet.startLoaders()
            return Outcome(notes: ["\(expected) rows lost, replayed from the earliest offsets"])
        },
        Scenario(name: "broker-restarted", about: "the dev broker is killed mid-load and restarted empty; fleet restarted") { fleet in
            try await fleet.pollUntilClean()
            try await fleet.startLoaders()
            let expected = try WarehouseAudit.expectedRecords(fleet.sandbox).count
            try await fleet.waitForFlushes(3)
            try await fleet.killBroker()
            let loadedAtKill = await fleet.loadedRows()
            guard loadedAtKill < expected else { throw StepFailure("everything was loaded before the broker died; lower --batch-rows") }
            // Everything pointed at the old broker is restarted against the new one, as an operator would.
            await fleet.stopLoaders(grace: .seconds(15))
            try await fleet.startBroker()
            try await fleet.writeConfiguration()
            try await fleet.startLoaders()
            try await fleet.pollUntilClean()
            return Outcome(notes: ["killed with \(loadedAtKill) of \(expected) rows loaded; watermarks and offsets lost with it"])
        },
        Scenario(name: "token-revoked", about: "every access token revoked 3 times mid-load, 3 batches apart (loaders behind OAuth)", authenticated: true) { fleet in
            try await fleet.pollUntilClean()
            try await fleet.startLoaders()
            let expected = try WarehouseAudit.expectedRecords(fleet.sandbox).count
            var loadedAt: [Int] = []
            let start = fleet.flushes()
            for round in 1...3 {
                try await fleet.waitForFlushes(total: start + 3 * round)
                await fleet.tokenServer?.revokeAllTokens()
                loadedAt.append(await fleet.loadedRows())
            }
            guard loadedAt[0] < expected else { throw StepFailure("everything was loaded before the first revocation; lower --batch-rows") }
            return Outcome(notes: ["tokens revoked with \(loadedAt.map(String.init).joined(separator: ", ")) of \(expected) rows loaded"],
                           afterAudit: { fleet in
                guard let stats = await fleet.tokenServer?.stats else { return [] }
                guard stats.unauthorizedRequests > 0 else { throw StepFailure("no call was refused: the revocation was not exercised") }
                return ["\(stats.unauthorizedRequests) calls got 401, \(stats.tokensIssued) tokens issued"]
            })
        },
        Scenario(name: "row-rejected", about: "one APPYMT AMOUNT reads '… USD': dead-lettered, the rest loads") { fleet in
            guard let target = try fleet.sandbox.records(object: "APPYMT", entity: "E200").first(where: { !$0.deleted }) else {
                throw StepFailure("no APPYMT in E200 at this scale")
            }
            fleet.sandbox.addFault(SandboxFault(kind: .untypeableValue, object: "APPYMT", times: -1,
                                                recordno: target.recordno, field: "AMOUNT", suffix: " USD"))
            try await fleet.startLoaders()
            try await fleet.pollUntilClean()
            return Outcome(planted: ["\(Fleet.company)/E200/APPYMT/\(target.recordno)"])
        },
    ]

    /// Faults injected at the gateway with finite counts: the backfill runs through them and each must
    /// have fired every time it was given.
    private static func gatewayFaults(_ name: String, about: String, _ faults: [SandboxFault]) -> Scenario {
        Scenario(name: name, about: about) { fleet in
            for fault in faults { fleet.sandbox.addFault(fault) }
            try await fleet.startLoaders()
            try await fleet.pollUntilClean()
            return Outcome(notes: try await fleet.expectFired(faults.map(\.kind)))
        }
    }
}

extension Fleet {
    /// Checks that finite fault rules fired every time they were given (a rule leaves the active list
    /// then); a fault that never fired would make the scenario prove nothing.
    func expectFired(_ kinds: SandboxFault.Kind...) async throws -> [String] {
        try await expectFired(kinds)
    }

    func expectFired(_ kinds: [SandboxFault.Kind]) async throws -> [String] {
        let left = try await activeFaults().filter { kinds.contains($0.kind) }
        guard left.isEmpty else {
            throw StepFailure("fault not exercised: \(left.map(\.kind.rawValue).joined(separator: ", ")) still active")
        }
        let stats = sandbox.stats()
        return ["\(stats.requests) gateway requests, \(stats.rateLimited) answered 429"]
    }

    /// `replay --from earliest` for one loader group, retried while the group still shows its members
    /// (they leave on SIGTERM, but the broker may take a moment to notice).
    func replay(entity: String) async throws {
        var last = ""
        do {
            try await eventually("replay of \(entity)", timeout: .seconds(60), every: .seconds(1)) {
                let run = try ChildProcess(name: "replay", executable: self.options.binary,
                                           arguments: ["replay", "--config", self.configPath, "--entity", entity, "--from", "earliest"],
                                           logDirectory: self.directory)
                let status = try await run.waitForExit(timeout: .seconds(60))
                last = run.tail(5)
                return status == 0
            }
        } catch is DeadlineExceeded {
            throw StepFailure("replay --entity \(entity) kept failing:\n\(last)")
        }
    }

    /// Between two polls: bills change and disappear (with their payments), journals are reposted,
    /// vendors renamed; invoices are revised and deleted (with their lines, payments and adjustment), a
    /// payment is deleted (its invoice's TOTALDUE moves), a bank feed link and a custom-object record are
    /// revised and deleted; then the incremental poll.
    func changeAndPollAgain() async throws {
        sandbox.advanceClock(seconds: 3600)
        // Whole seconds, as `_extracted_at` is stamped: a version read after this line is not older.
        let revisedAt = Int64(Date().timeIntervalSince1970)
        _ = try sandbox.mutate(object: "APBILL", entity: "E100", modify: 3, delete: 1)
        _ = try sandbox.mutate(object: "GLENTRY", entity: "E200", modify: 1, delete: 1)
        _ = try sandbox.mutate(object: "VENDOR", entity: "top", modify: 2)
        _ = try sandbox.mutate(object: "ARINVOICE", entity: "E100", modify: 2, delete: 1)
        _ = try sandbox.mutate(object: "ARPYMT", entity: "E200", delete: 1)
        _ = try sandbox.mutate(object: "CUSTOMER_CONTRACT", entity: "top", modify: 1, delete: 1)
        let feeds = try sandbox.mutate(object: "PROVIDERBANKACCOUNT", entity: "top", modify: 1, delete: 1)
        noteRevisedSnapshots(feeds.modified.map { "top/PROVIDERBANKACCOUNT/\($0)" }, at: revisedAt)
        try await pollUntilClean()
    }
}
