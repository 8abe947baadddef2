import Foundation
import Sandbox
import DevBroker
import TestSupport
import XCTest

/// `check` asks Intacct about every configured object: a name Intacct does not know fails with Intacct's
/// own error naming it, before any poller starts.
final class CheckCommandTests: XCTestCase {
    func testCheckFailsAnObjectIntacctDoesNotKnowWithIntacctsErrorAndPassesTheOthers() async throws {
        let sandbox = SandboxServer(configuration: SandboxConfiguration(seed: 3, scale: 50))
        try await sandbox.start()
        let broker = try DevBroker()
        defer { broker.stop() }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("check-\(UUID().uuidString).yaml").path
        try """
        company: checks
        kafka:
          bootstrap_servers: \(broker.bootstrapServers)
        intacct:
        \(sandbox.intacctCredentialsYAML)
        poller:
          entities: [E100]
          objects: [GLACCOUNT, AUDITHISTORY, NOSUCHOBJECT]
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let (status, output) = try CLI.run(["check", "--config", path])
        await sandbox.stop()
        XCTAssertEqual(status, 1, output)
        XCTAssertTrue(output.contains("ok      intacct object GLACCOUNT: "), output)
        XCTAssertTrue(output.contains("incremental on WHENMODIFIED"), output)
        XCTAssertTrue(output.contains("FAILED  intacct object NOSUCHOBJECT: poller.objects: Intacct rejected object NOSUCHOBJECT: BL01001973"), output)
        XCTAssertTrue(output.contains("Object definition NOSUCHOBJECT not found"), output)
        // Named only in the config, without its key: lookup lists no RECORDNO, and check says what to set.
        XCTAssertTrue(output.contains("FAILED  intacct object AUDITHISTORY: ") && output.contains("set key_field for AUDITHISTORY"), output)
        XCTAssertTrue(output.contains("ok      kafka"), output)
    }
}
