import ArgumentParser
import Foundation
import Sandbox

struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Serve a local, deterministic Intacct company over the XML gateway protocol.",
        discussion: """
        The company (entities E100, E200, E300; dimensions, GL and AP objects; AUDITHISTORY) is generated \
        from the seed, so the same seed always serves the same records, and --scale reaches millions of \
        records without holding them in memory. See docs/sandbox-company.md for the objects, credentials \
        (sender demo-sender / sender-secret, user api_user / DEMO / user-secret) and invariants.

        On start it prints one line, gateway=http://127.0.0.1:PORT/ia/xml/xmlgw.phtml, and runs until \
        SIGINT or SIGTERM. The admin API (clock, mutations, fault injection, totals, stats) lives under \
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

    @Option(name: .customLong("address-file"), help: "Also write IBQ_SANDBOX_GATEWAY=<url> to this file.")
    var addressFile: String?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard scale >= 0 else { throw ValidationError("--scale must not be negative") }
        guard sessionMinutes > 0 else { throw ValidationError("--session-minutes must be positive") }
        guard maxConcurrent > 0 else { throw ValidationError("--max-concurrent must be positive") }
    }

    func run() async throws {
        let configuration = SandboxConfiguration(
            seed: seed, scale: scale, sessionDuration: .seconds(sessionMinutes * 60), maxConcurrentRequests: maxConcurrent
        )
        let server = SandboxServer(configuration: configuration)
        try await server.start(host: host, port: port)
        let url = server.gatewayURL.absoluteString
        if let addressFile {
            try "IBQ_SANDBOX_GATEWAY=\(url)\n".write(toFile: addressFile, atomically: true, encoding: .utf8)
        }
        // Written through at once: scripts wait for this line.
        FileHandle.standardOutput.write(Data("gateway=\(url)\n".utf8))
        await Self.waitForTermination()
        await server.stop()
    }

    /// Suspends until SIGINT or SIGTERM arrives. The handlers only write a byte to a pipe (async-signal-safe);
    /// a blocking read on its own thread turns that into a resumption. (A libdispatch signal source did not
    /// catch SIGTERM reliably on Linux.)
    private static func waitForTermination() async {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return }
        terminationPipe = fds[1]
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber) { _ in
                var byte: UInt8 = 1
                _ = write(terminationPipe, &byte, 1)
            }
        }
        let readEnd = fds[0]
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                var byte: UInt8 = 0
                while read(readEnd, &byte, 1) < 0 && errno == EINTR {}
                continuation.resume()
            }
        }
    }
}

/// Write end of the pipe the signal handlers poke; set once before the handlers are installed.
nonisolated(unsafe) private var terminationPipe: Int32 = -1
