import Foundation

/// One line of the matrix.
struct ScenarioResult: Sendable {
    let name: String
    var audit: WarehouseAudit?
    var polls = 0
    var seconds = 0
    var notes: [String] = []
    /// Why the scenario could not be carried out (a step failed), if it could not.
    var failure: String?

    var passed: Bool { failure == nil && audit?.isClean == true }

    /// Runs one scenario on fresh services and audits the warehouse.
    static func run(_ scenario: Scenario, options: MatrixOptions, seed: UInt64) async -> ScenarioResult {
        let clock = ContinuousClock()
        let started = clock.now
        var result = ScenarioResult(name: scenario.name)
        var fleet: Fleet?
        do {
            let services = try Fleet(options: options, scenario: scenario.name, seed: seed)
            fleet = services
            try await services.start(authenticated: scenario.authenticated)
            func step(_ what: String) { say("    \(what) at \(MatrixTable.duration(Int((clock.now - started).components.seconds)))") }
            step("services up")
            let outcome = try await scenario.backfill(services)
            result.notes = outcome.notes
            step("backfill under the fault done")
            try await services.changeAndPollAgain()
            step("changes and deletes polled")
            let audit = try await WarehouseAudit.converge(services, planted: outcome.planted, timeout: .seconds(options.convergeSeconds))
            result.audit = audit
            step(audit.isClean ? "audit clean" : "audit NOT clean")
            if audit.isClean, let check = outcome.afterAudit { result.notes += try await check(services) }
            try await services.checkLoadersAlive()
            if !audit.isClean {
                result.notes += audit.plantedNotDeadLettered.map { "not dead-lettered: \($0)" } + audit.moneyDifferences + audit.examples
                    + services.errorLines() + services.partitionTrail() + (await services.emulatorStacks())
            }
        } catch {
            result.failure = "\(error)"
        }
        if let fleet {
            result.polls = await fleet.pollRuns
            await fleet.stopAll()
        }
        let elapsed = clock.now - started
        result.seconds = Int(elapsed.components.seconds)
        return result
    }
}
