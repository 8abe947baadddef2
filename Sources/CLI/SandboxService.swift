import Foundation
import Sandbox
import ServiceLifecycle

/// `intacct-bigquery sandbox` as a `Service`: serves until the group shuts down, then stops listening.
struct SandboxService: Service {
    let server: SandboxServer
    let host: String
    let port: Int
    let addressFile: String?

    func run() async throws {
        try await server.start(host: host, port: port)
        let url = server.gatewayURL.absoluteString
        if let addressFile {
            try "IBQ_SANDBOX_GATEWAY=\(url)\n".write(toFile: addressFile, atomically: true, encoding: .utf8)
        }
        // Written through at once: scripts wait for this line.
        FileHandle.standardOutput.write(Data("gateway=\(url)\n".utf8))
        // Cancellation (the deadline passed) ends the wait too; either way the server stops.
        try? await gracefulShutdown()
        await server.stop()
    }
}
