import Foundation

/// The built `intacct-bigquery` executable, for end-to-end tests that run it as a separate process.
public enum CLI {
    /// Next to the test bundle in SwiftPM's build folder (`.build/debug/intacct-bigquery`).
    public static var executable: URL {
        if let explicit = ProcessInfo.processInfo.environment["IBQ_BINARY"] { return URL(fileURLWithPath: explicit) }
        var directory = Bundle.main.bundleURL
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("intacct-bigquery")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory.deleteLastPathComponent()
        }
        return repositoryRoot.appendingPathComponent(".build/debug/intacct-bigquery")
    }

    /// Runs the binary to completion and returns its exit status and combined output.
    public static func run(_ arguments: [String], environment: [String: String]? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    /// Subcommand names from the `SUBCOMMANDS:` section of `--help`.
    public static func subcommands(in help: String) -> [String] {
        guard let section = help.range(of: "SUBCOMMANDS:") else { return [] }
        return help[section.upperBound...].split(separator: "\n").compactMap { line in
            guard line.hasPrefix("  "), let first = line.split(separator: " ").first else { return nil }
            return first.hasPrefix("-") ? nil : String(first)
        }
    }
}
