import Foundation
import Sandbox
import Catalog
import TestSupport
import XCTest

/// `intacct-bigquery discover` as a user runs it: the real binary against a real sandbox process.
final class DiscoverCommandTests: XCTestCase {
    private var sandbox: Process!
    private var gateway = ""

    override func setUp() async throws {
        sandbox = Process()
        sandbox.executableURL = CLI.executable
        sandbox.arguments = ["sandbox", "--port", "0", "--scale", "2000"]
        let pipe = Pipe()
        sandbox.standardOutput = pipe
        sandbox.standardError = FileHandle.nullDevice
        try sandbox.run()
        // The first line is `gateway=URL`, printed once the port is bound.
        var buffer = Data()
        while !buffer.contains(UInt8(ascii: "\n")) {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
        }
        let line = String(decoding: buffer, as: UTF8.self).split(separator: "\n").first ?? ""
        gateway = String(line.dropFirst("gateway=".count))
        XCTAssertTrue(gateway.hasPrefix("http://"), "sandbox said: \(line)")
    }

    override func tearDown() async throws {
        sandbox.terminate()
        sandbox.waitUntilExit()
    }

    private func config(objects: [String], extra: String = "") throws -> String {
        let text = """
        company: e2e
        kafka:
          bootstrap_servers: 127.0.0.1:1
        intacct:
        \(SandboxConfiguration().intacctCredentialsYAML(endpoint: gateway))
        poller:
          entities: [E100]
          objects: [\(objects.joined(separator: ", "))]
        \(extra)
        """
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("discover-\(UUID().uuidString).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Runs the binary with stdout kept apart from stderr, so JSON can be parsed as printed.
    private func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    func testDiscoverJSONNamesEveryConfiguredObjectWithTypesAndCustomFields() throws {
        let objects = ["GLACCOUNT", "VENDOR", "GLENTRY", "GLDETAIL", "APBILL", "APPYMT"]
        let result = try run(["discover", "--config", try config(objects: objects), "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], result.stdout)
        let entries = try XCTUnwrap(document["objects"] as? [[String: Any]])
        XCTAssertEqual(entries.compactMap { $0["object"] as? String }, objects)
        let glEntry = try XCTUnwrap(entries.first { $0["object"] as? String == "GLENTRY" }?["fields"] as? [[String: Any]])
        let region = try XCTUnwrap(glEntry.first { $0["name"] as? String == "GLDIM_REGION" })
        XCTAssertEqual(region["intacct_type"] as? String, "ENUM")
        XCTAssertEqual(region["bigquery_type"] as? String, "STRING")
        XCTAssertEqual(region["custom"] as? Bool, true)
        XCTAssertEqual(region["selected"] as? Bool, true)
        let vendor = try XCTUnwrap(entries.first { $0["object"] as? String == "VENDOR" }?["fields"] as? [[String: Any]])
        XCTAssertEqual(vendor.first { $0["name"] as? String == "CUSTOMFIELD_DISCOUNT_PCT" }?["bigquery_type"] as? String, "NUMERIC")
        XCTAssertEqual(vendor.first { $0["name"] as? String == "ONHOLD" }?["bigquery_type"] as? String, "BOOL")
    }

    func testDiscoverPrintsAnAlignedTableAndWritesAMappingFileThePollerAccepts() throws {
        let path = try config(objects: ["APBILL"])
        let table = try run(["discover", "--config", path, "--object", "APBILL"])
        XCTAssertEqual(table.status, 0, table.stderr)
        let lines = table.stdout.split(separator: "\n")
        XCTAssertTrue(lines.first?.hasPrefix("OBJECT  FIELD") ?? false, table.stdout)
        let typeColumn = lines.first!.range(of: "INTACCT TYPE")!.lowerBound.utf16Offset(in: lines.first!)
        for line in lines.dropFirst() {
            XCTAssertEqual(line.count > typeColumn ? line[line.index(line.startIndex, offsetBy: typeColumn - 1)] : "?", " ", String(line))
        }
        XCTAssertTrue(table.stdout.contains("CUSTOMFIELD_TAX_RATE"), table.stdout)

        let mappingPath = FileManager.default.temporaryDirectory.appendingPathComponent("mapping-\(UUID().uuidString).yaml").path
        let written = try run(["discover", "--config", path, "--write", mappingPath])
        XCTAssertEqual(written.status, 0, written.stderr)
        let mapping = try SchemaMapping.load(from: mappingPath)
        XCTAssertEqual(mapping[object: "APBILL"]?.fields["CUSTOMFIELD_TAX_RATE"]?.type, .percent)
        XCTAssertEqual(mapping[object: "APBILL"]?.fields["CUSTOMFIELD_TAX_RATE"]?.include, true)

        // A user override in the configured mapping file shows in the next discover and survives --write.
        var edited = mapping
        edited.objects["APBILL"]?.fields["CUSTOMFIELD_TAX_RATE"]?.type = .text
        edited.objects["APBILL"]?.fields["DESCRIPTION"]?.include = false
        try edited.write(to: mappingPath)
        let withFile = try config(objects: ["APBILL"], extra: "  mapping_file: \(mappingPath)")
        let json = try run(["discover", "--config", withFile, "--json"])
        XCTAssertEqual(json.status, 0, json.stderr)
        let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let fields = try XCTUnwrap((document["objects"] as? [[String: Any]])?.first?["fields"] as? [[String: Any]])
        XCTAssertEqual(fields.first { $0["name"] as? String == "CUSTOMFIELD_TAX_RATE" }?["bigquery_type"] as? String, "STRING")
        XCTAssertEqual(fields.first { $0["name"] as? String == "DESCRIPTION" }?["selected"] as? Bool, false)
        let rewritten = try run(["discover", "--config", withFile, "--write", mappingPath])
        XCTAssertEqual(rewritten.status, 0, rewritten.stderr)
        let kept = try SchemaMapping.load(from: mappingPath)
        XCTAssertEqual(kept[object: "APBILL"]?.fields["CUSTOMFIELD_TAX_RATE"]?.type, .text)
        XCTAssertEqual(kept[object: "APBILL"]?.fields["DESCRIPTION"]?.include, false)
    }

    func testDiscoverDescribesAnObjectOutsideTheCatalogFromLookupAlone() throws {
        let result = try run(["discover", "--config", try config(objects: ["APBILL"]), "--object", "AUDITHISTORY", "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], result.stdout)
        let entry = try XCTUnwrap((document["objects"] as? [[String: Any]])?.first)
        XCTAssertEqual(entry["catalogued"] as? Bool, false)
        XCTAssertEqual(entry["reading"] as? String, "snapshot", "lookup lists no WHENMODIFIED")
        let fields = try XCTUnwrap(entry["fields"] as? [[String: Any]])
        XCTAssertTrue(fields.allSatisfy { $0["selected"] as? Bool == true }, "every field lookup lists is selected")
        XCTAssertEqual(fields.first { $0["name"] as? String == "ACCESSTIME" }?["bigquery_type"] as? String, "TIMESTAMP")
        XCTAssertTrue(result.stderr.contains("AUDITHISTORY: lookup lists no RECORDNO; set key_field"), result.stderr)
    }

    func testDiscoverWithAnObjectIntacctDoesNotKnowFailsWithIntacctsErrorNamingIt() throws {
        let result = try run(["discover", "--config", try config(objects: ["APBILL"]), "--object", "APBIL"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("lookup APBIL failed"), result.stderr)
        XCTAssertTrue(result.stderr.contains("Object definition APBIL not found"), result.stderr)
    }
}
