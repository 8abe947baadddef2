import ArgumentParser
import Foundation
import Logging
import Operations
import Sandbox

struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Serve a local, deterministic Intacct company over the XML gateway protocol.",
        discussion: """
        The company (entities E100, E200, E300; dimensions, GL, AP, AR, cash management, items, employees, \
        tasks, budgets, a platform object; AUDITHISTORY; get_accountbalances and get_trialbalance) is generated \
        from the seed, so the same seed always serves the same records, and --scale reaches millions of \
        records without holding them in memory. See docs/sandbox-company.md for the objects, credentials \
        (sender demo-sender / sender-secret, user api_user / DEMO / user-secret) and invariants.

        On start it prints one line, gateway=http://127.0.0.1:PORT/ia/xml/xmlgw.phtml, and runs until \
        SIGINT or SIGTERM (it stops within 5 s; a second signal exits at once). The admin API (clock, mutations, fault injection, totals, stats) lives under \
        /admin/ on the same port.
        """
    )

    @Option(help: "TCP port to listen on (0 = any free port).")
    var port: Int = 0

    @Option(help: "Address to bind.")
    var host: String = "127.0.0.1"

    @Option(help: "Seed of the generated company: the same seed serves identical data.")
    var seed: UInt64 = 42

    @Option(help: "Approximate total number of records across all objects and entities.")
    var scale: Int = 20_000

    @Option(name: .customLong("session-minutes"), help: "Idle timeout of API sessions, in minutes (sliding).")
    var sessionMinutes: Int = 60

    @Option(name: .customLong("max-concurrent"), help: "Requests served at once; more get HTTP 429 with GW-0010.")
    var maxConcurrent: Int = 2

    @Option(help: "The API user's UTC offset, ±HH:MM: timestamps are served and filters read in that local time, without an offset, as Intacct does. Write a negative offset with '=' (--timezone=-08:00), or it reads as an option.")
    var timezone: String = "+00:00"

    @Option(name: .customLong("address-file"), help: "Also write IBQ_SANDBOX_GATEWAY=<url> to this file.")
    var addressFile: String?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard scale >= 0 else { throw ValidationError("--scale must not be negative") }
        guard sessionMinutes > 0 else { throw ValidationError("--session-minutes must be positive") }
        guard maxConcurrent > 0 else { throw ValidationError("--max-concurrent must be positive") }
        guard SandboxConfiguration.utcOffset(parsing: timezone) != nil else {
            throw ValidationError("--timezone must be an offset from UTC between -12:00 and +14:00 such as -08:00, got \(timezone)")
        }
    }

    func run() async throws {
        var configuration = SandboxConfiguration(
            seed: seed, scale: scale, sessionDuration: .seconds(sessionMinutes * 60), maxConcurrentRequests: maxConcurrent
        )
        configuration.utcOffsetSeconds = SandboxConfiguration.utcOffset(parsing: timezone) ?? 0
        let service = SandboxService(server: SandboxServer(configuration: configuration), host: host, port: port, addressFile: addressFile)
        var logger = Logger(label: "intacct-bigquery.sandbox", factory: { StreamLogHandler.standardError(label: $0) })
        logger.logLevel = .notice
        // A stand-in holds nothing to commit: a short fixed bound.
        try await BoundedServiceGroup(services: [service], deadline: .seconds(5), logger: logger).run()
    }
}
