import Foundation
import Sandbox
import DevBroker
import TestSupport

/// The YAML the end-to-end tests hand to `poll` and `load`: every run points the same sections at the
/// dev broker, the sandbox and the emulator, and only what a test is about should stand in the test.
enum PipelineConfigurationFile {
    /// `kafka:` and `intacct:` for the dev broker and the sandbox. Consumers that join and leave within
    /// a test need the shorter session timeout, or a rebalance outlasts the test's deadline.
    static func source(bootstrapServers: String, sandbox: SandboxServer, shortSessions: Bool = false) -> String {
        let properties = shortSessions ? "\n  properties: {session.timeout.ms: \"6000\"}" : ""
        return """
        kafka:
          bootstrap_servers: \(bootstrapServers)\(properties)
        intacct:
        \(sandbox.intacctCredentialsYAML)
          requests_per_second: 1000
        """
    }

    /// Writes a file for separate `poll` and `load` processes of company DEMO and returns its path.
    /// `settings` goes before `kafka:`, `intacct` under `intacct:`, and `poller` under `poller:` (it may
    /// end with further top-level sections, such as `balances:`).
    static func write(
        name: String, dataset: String, broker: DevBroker, sandbox: SandboxServer, emulator: String,
        settings: String = "", intacct: String = "", poller: String
    ) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ibq-\(name)-\(UUID().uuidString.prefix(8)).yaml").path
        let lines = [
            "company: DEMO",
            "logging: {level: info}",
            settings,
            source(bootstrapServers: broker.bootstrapServers, sandbox: sandbox, shortSessions: true),
            intacct,
            "poller:\n  http_port: 0",
            poller,
            """
            bigquery:
              project: demo
              dataset: \(dataset)
              emulator_host: \(emulator)
              emulator_grpc_host: "\(DevServices.load().bigQueryGRPC ?? "")"
            loader:
              http_port: 0
              linger_ms: 200
            """,
        ]
        try lines.filter { !$0.isEmpty }.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
