import Foundation
import Sandbox

/// Command line of the matrix: `FaultMatrix [--scale N] [--page-size N] [--outage-seconds N]
/// [--timezone ±HH:MM] [--work-dir D] [--list] [scenario ...]`.
struct MatrixOptions: Sendable {
    var scale = 3_000
    var pageSize = 100
    var batchRows = 100
    var outageSeconds = 60
    var convergeSeconds = 300
    /// The sandbox API user's UTC offset. Not UTC by default: the sandbox lists true UTC instants, so
    /// every scenario's stale check also proves the poller moved local times to UTC (issue #16).
    var timezone = "-08:00"
    var utcOffsetSeconds: Int64 = -8 * 3600
    var workDirectory = ""
    /// The `intacct-bigquery` executable (IBQ_BINARY, else next to this one).
    var binary = ""
    /// The repository root (for the emulator launcher and its virtualenv).
    var repository = ""
    var list = false
    var scenarios: [String] = []

    static let usage = """
    usage: FaultMatrix [--scale N] [--page-size N] [--batch-rows N] [--outage-seconds N] [--converge-seconds N] [--timezone ±HH:MM] [--work-dir DIR] [--list] [scenario ...]
    Runs every scenario (or the named ones) sequentially, each on fresh services, and prints one table.
    Exit status: 0 when every scenario has zero missing, duplicate, unexpected and stale records and equal
    money; 1 otherwise; 2 for a usage error.
    """

    static func parse(_ arguments: [String]) throws -> MatrixOptions {
        var options = MatrixOptions()
        var rest = arguments[...]
        func value(_ flag: String) throws -> String {
            guard let next = rest.popFirst() else { throw UsageError("\(flag) needs a value") }
            return next
        }
        func number(_ flag: String) throws -> Int {
            let text = try value(flag)
            guard let n = Int(text), n > 0 else { throw UsageError("\(flag) must be a positive whole number, got \(text)") }
            return n
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "--scale": options.scale = try number(argument)
            case "--page-size": options.pageSize = try number(argument)
            case "--batch-rows": options.batchRows = try number(argument)
            case "--outage-seconds": options.outageSeconds = try number(argument)
            case "--converge-seconds": options.convergeSeconds = try number(argument)
            case "--timezone":
                let text = try value(argument)
                guard let offset = SandboxConfiguration.utcOffset(parsing: text) else {
                    throw UsageError("--timezone must be ±HH:MM between -12:00 and +14:00, got \(text)")
                }
                options.timezone = text
                options.utcOffsetSeconds = offset
            case "--work-dir": options.workDirectory = try value(argument)
            case "--list": options.list = true
            case "-h", "--help": throw UsageError("")
            default:
                if argument.hasPrefix("-") { throw UsageError("unknown option \(argument)") }
                options.scenarios.append(argument)
            }
        }
        let environment = ProcessInfo.processInfo.environment
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        options.binary = environment["IBQ_BINARY"] ?? here.appendingPathComponent("intacct-bigquery").path
        options.repository = environment["IBQ_REPOSITORY"] ?? FileManager.default.currentDirectoryPath
        if options.workDirectory.isEmpty { options.workDirectory = options.repository + "/.faults" }
        return options
    }
}

struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
