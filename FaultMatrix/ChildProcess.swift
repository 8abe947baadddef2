import Foundation
import TestSupport

/// A process the matrix started (a loader, the poller, the dev broker, the BigQuery emulator), with its
/// output appended to a log file. Only processes started here are ever signalled, by their own PID:
/// other people's copies of the same binaries on this machine are left alone.
final class ChildProcess: Sendable {
    let name: String
    let logPath: String
    private let process = Process()

    init(name: String, executable: String, arguments: [String], logDirectory: String) throws {
        self.name = name
        logPath = logDirectory + "/\(name).log"
        if !FileManager.default.fileExists(atPath: logPath) { _ = FileManager.default.createFile(atPath: logPath, contents: nil) }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        log.write(Data("---- \(Date()) start: \(([executable] + arguments).joined(separator: " "))\n".utf8))
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        ChildRegistry.shared.add(process.processIdentifier)
    }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }
    /// The exit status, once it has exited (a signal death reads as 128 + signal).
    var exitStatus: Int32? {
        guard !process.isRunning else { return nil }
        return process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    }

    /// SIGKILL: no flush, no commit, no goodbye.
    func killHard() async throws {
        kill(pid, SIGKILL)
        try await waitForExit(timeout: .seconds(20))
    }

    /// SIGTERM, then SIGKILL if it has not exited within `grace`. Returns the exit status.
    @discardableResult
    func stop(grace: Duration = .seconds(30)) async -> Int32 {
        if process.isRunning { kill(pid, SIGTERM) }
        if (try? await waitForExit(timeout: grace)) == nil {
            kill(pid, SIGKILL)
            _ = try? await waitForExit(timeout: .seconds(20))
        }
        return exitStatus ?? -1
    }

    /// Waits for the process to exit on its own and returns its status.
    @discardableResult
    func waitForExit(timeout: Duration) async throws -> Int32 {
        try await eventually("\(name) exits", timeout: timeout, every: .milliseconds(100)) { !self.process.isRunning }
        ChildRegistry.shared.remove(pid)
        return exitStatus ?? -1
    }

    /// The last `lines` lines of its log.
    func tail(_ lines: Int = 20) -> String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }
}
