import Foundation
import TestSupport
import XCTest

/// Runs the built `intacct-bigquery` binary, as an operator would.
final class CLIHelpTests: XCTestCase {
    func testEverySubcommandExplainsItselfInHelp() throws {
        let root = try CLI.run(["--help"])
        XCTAssertEqual(root.status, 0)
        XCTAssertTrue(root.output.contains("Sage Intacct"), root.output)
        let subcommands = CLI.subcommands(in: root.output)
        XCTAssertTrue(subcommands.contains("dev-broker"), "subcommands listed: \(subcommands)")
        for name in subcommands {
            let help = try CLI.run([name, "--help"])
            XCTAssertEqual(help.status, 0, name)
            XCTAssertTrue(help.output.contains("OVERVIEW:"), "\(name) --help has no overview:\n\(help.output)")
            XCTAssertTrue(help.output.contains("USAGE:"), name)
        }
    }

    func testAnUnknownSubcommandFailsWithUsage() throws {
        let result = try CLI.run(["no-such-command"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.output.contains("Usage") || result.output.contains("USAGE"), result.output)
    }
}
