import Foundation

/// A long-running `intacct-bigquery` subcommand (a loader, a poller service) started as a real process,
/// with its output in a log file. Killed on deinit, so a failing test leaves nothing running.
public final class CLIProcess: Sendable {
    private let process = Process()
    public let logFile: URL

    public init(_ arguments: [String], name: String = "process") throws {
        logFile = FileManager.default.temporaryDirectory.appendingPathComponent("ibq-\(name)-\(UUID().uuidString.prefix(8)).log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let log = try FileHandle(forWritingTo: logFile)
        process.executableURL = CLI.executable
        process.arguments = arguments
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    public var isRunning: Bool { process.isRunning }
    public var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// SIGKILL: no flush, no commit, no goodbye.
    public func killHard() async throws {
        kill(process.processIdentifier, SIGKILL)
        try await eventually("process dies") { !self.process.isRunning }
    }

    /// SIGTERM, then the exit status once it has shut down gracefully.
    public func terminate(timeout: Duration = .seconds(60)) async throws -> Int32 {
        process.terminate()
        try await eventually("process exits after SIGTERM", timeout: timeout) { !self.process.isRunning }
        return process.terminationStatus
    }

    /// Sends `signal` (SIGTERM, SIGINT…) and returns at once.
    public func send(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// The exit status once the process has ended, waiting up to `timeout` for it.
    public func exitStatus(within timeout: Duration) async throws -> Int32 {
        try await eventually("process exits", timeout: timeout, every: .milliseconds(20)) { !self.process.isRunning }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
