import Foundation
import Logging
import Poller
@testable import Sandbox
import Catalog
import HTTP
import TestSupport
import XCTest

/// `lookup` against the sandbox: every object, every field's type and custom flag, and a field added
/// while running (schema drift).
final class SchemaDiscoveryTests: PollerHarnessTestCase {

    private func client() throws -> IntacctClient {
        try PollerRuntime.intacctClient(for: harness.configuration(harness.yaml()))
    }

    func testLookupOfEveryObjectMatchesTheSandboxDefinitionsIncludingCustomFields() async throws {
        let client = try client()
        var typesSeen = Set<IntacctFieldType>()
        for object in SandboxObject.allCases {
            let fields = try await client.lookup(object: object.rawValue)
            let expected = object.schema.fields
            XCTAssertEqual(fields.map(\.id), expected.map(\.name), object.rawValue)
            XCTAssertEqual(fields.map(\.dataType), expected.map(\.type.rawValue), object.rawValue)
            XCTAssertEqual(fields.map(\.isCustom), expected.map(\.isCustom), object.rawValue)
            XCTAssertEqual(fields.filter(\.isRequired).map(\.id), [expected[object.schema.keyField].name], object.rawValue)
            if object != .AUDITHISTORY {
                XCTAssertTrue(fields.contains(where: \.isCustom), "\(object.rawValue) has no custom field")
            }
            typesSeen.formUnion(fields.map(\.type))
            // The discovered catalog keeps every standard field with Intacct's type and adds the custom ones.
            if let standard = ObjectCatalog.standard[object.rawValue] {
                let merged = DiscoveredSchema.merge(standard, discovered: fields.map(\.discoveredField), mapping: nil)
                // Transaction-currency twins, if the sandbox lists any, follow the catalog's and custom fields.
                XCTAssertEqual(Array(merged.fields.prefix(standard.fields.count)), standard.fields, object.rawValue)
                XCTAssertEqual(merged.fields.filter(\.isCustom).map(\.name), fields.filter(\.isCustom).map(\.id), object.rawValue)
            }
        }
        XCTAssertEqual(typesSeen, Set(IntacctFieldType.allCases), "every lookup type appears in the sandbox catalog")
        let glEntry = try await client.lookup(object: "GLENTRY")
        XCTAssertEqual(glEntry.first { $0.id == "GLDIM_REGION" }.map { [$0.dataType, "\($0.isCustom)"] }, ["ENUM", "true"])
    }

    func testCustomFieldsComeBackInQueriesWithDeterministicValues() async throws {
        let client = try client()
        var values: [String] = []
        for try await page in client.readByQuery(object: "GLENTRY", fields: ["RECORDNO", "GLDIM_REGION"], query: "", entity: "E100") {
            values += page.rows.compactMap { $0["GLDIM_REGION"] }
        }
        XCTAssertFalse(values.isEmpty)
        XCTAssertTrue(values.allSatisfy { ["NORTH", "SOUTH", "EAST", "WEST", "CENTRAL"].contains($0) }, "\(Set(values))")
        var again: [String] = []
        for try await page in client.readByQuery(object: "GLENTRY", fields: ["RECORDNO", "GLDIM_REGION"], query: "", entity: "E100") {
            again += page.rows.compactMap { $0["GLDIM_REGION"] }
        }
        XCTAssertEqual(values, again)
    }

    func testAFieldAddedWhileRunningIsListedAndFilledOnRecordsModifiedAfterIt() async throws {
        let client = try client()
        let added = try harness.sandbox.addCustomField(object: "APBILL", field: "customfield_cost_center", type: "INTEGER")
        XCTAssertEqual(added.field, "CUSTOMFIELD_COST_CENTER")
        XCTAssertThrowsError(try harness.sandbox.addCustomField(object: "APBILL", field: "CUSTOMFIELD_COST_CENTER", type: "INTEGER"))
        XCTAssertThrowsError(try harness.sandbox.addCustomField(object: "APBILL", field: "X", type: "FLOAT"))
        let listed = try await client.lookup(object: "APBILL").last
        XCTAssertEqual(listed?.id, "CUSTOMFIELD_COST_CENTER")
        XCTAssertEqual(listed?.type, .integer)
        XCTAssertEqual(listed?.isCustom, true)

        harness.sandbox.advanceClock(seconds: 60)
        let modified = Set(try harness.sandbox.mutate(object: "APBILL", entity: "E200", modify: 3).modified)
        var withValue: [String] = []
        var empty = 0
        for try await page in client.readByQuery(object: "APBILL", fields: ["RECORDNO", "CUSTOMFIELD_COST_CENTER"], query: "", entity: "E200") {
            for row in page.rows {
                if let value = row["CUSTOMFIELD_COST_CENTER"], !value.isEmpty {
                    XCTAssertNotNil(Int(value), value)
                    withValue.append(row["RECORDNO"] ?? "")
                } else {
                    empty += 1
                }
            }
        }
        XCTAssertEqual(Set(withValue), modified, "exactly the records modified after the field was added carry a value")
        XCTAssertGreaterThan(empty, 0)

        // Over HTTP too, with errors as 400s.
        let (status, body) = try await adminPost("/admin/schema/add_field", #"{"object":"GLDETAIL","field":"GLDIM_FUND","type":"ENUM"}"#)
        XCTAssertEqual(status, 200, body)
        XCTAssertTrue(body.contains(#""field":"GLDIM_FUND""#), body)
        let (bad, _) = try await adminPost("/admin/schema/add_field", #"{"object":"NOPE","field":"X","type":"TEXT"}"#)
        XCTAssertEqual(bad, 400)
    }

    private func adminPost(_ path: String, _ json: String) async throws -> (Int, String) {
        let response = try await HTTPClient().send(HTTPRequest(method: "POST", url: harness.sandbox.baseURL.absoluteString + path,
                                                               headers: [("Content-Type", "application/json")], body: Data(json.utf8)))
        return (response.status, String(decoding: response.body, as: UTF8.self))
    }
}
