import Foundation
import Catalog
import XCTest

/// The catalog as defaults, not a gate: any object starts from lookup, and lookup decides what is selected.
final class AnyObjectCatalogTests: XCTestCase {
    private let customer: [DiscoveredField] = [
        DiscoveredField(name: "RECORDNO", type: .integer, isRequired: true),
        DiscoveredField(name: "CUSTOMERID", type: .text),
        DiscoveredField(name: "TOTALDUE", type: .decimal),
        DiscoveredField(name: "WHENMODIFIED", type: .timestamp),
        DiscoveredField(name: "CUSTOMFIELD_SEGMENT", type: .enumeration, isCustom: true),
    ]

    func testAnObjectOutsideTheCatalogTakesEveryFieldLookupListsWithItsTypes() {
        let start = ObjectCatalog.standard.definition(of: "customer")
        XCTAssertEqual(start.name, "CUSTOMER")
        XCTAssertTrue(start.awaitsDiscovery)
        let merged = DiscoveredSchema.merge(start, discovered: customer, mapping: nil)
        XCTAssertEqual(merged.fieldNames, customer.map(\.name))
        XCTAssertEqual(merged.field(named: "TOTALDUE")?.type, .decimal)
        XCTAssertFalse(merged.readsSnapshots)
        XCTAssertEqual(merged.keyField, "RECORDNO")
        XCTAssertEqual(merged.level, .top)
    }

    func testAResolvedObjectOutsideTheCatalogPicksUpAFieldIntacctAddsLater() {
        let resolved = DiscoveredSchema.merge(ObjectCatalog.standard.definition(of: "CUSTOMER"), discovered: customer, mapping: nil)
        let later = customer + [DiscoveredField(name: "CREDITLIMIT", type: .decimal)]
        let again = DiscoveredSchema.merge(resolved, discovered: later, mapping: nil)
        XCTAssertEqual(again.field(named: "CREDITLIMIT")?.type, .decimal, "a standard field, not only custom ones")
    }

    func testAnObjectWithoutWhenModifiedIsReadAsSnapshots() {
        let merged = DiscoveredSchema.merge(ObjectCatalog.standard.definition(of: "CUSTOMER"),
                                            discovered: customer.filter { $0.name != "WHENMODIFIED" }, mapping: nil)
        XCTAssertTrue(merged.readsSnapshots)
    }

    func testACatalogFieldLookupDoesNotListIsNeverSelected() throws {
        let glDetail = try XCTUnwrap(ObjectCatalog.standard["GLDETAIL"])
        let listed = glDetail.fields.filter { $0.name != "MEGAENTITYID" }.map { DiscoveredField(name: $0.name, type: $0.type) }
        let merged = DiscoveredSchema.merge(glDetail, discovered: listed, mapping: nil)
        XCTAssertNil(merged.field(named: "MEGAENTITYID"))
        XCTAssertEqual(merged.fields.count, glDetail.fields.count - 1)
        XCTAssertEqual(DiscoveredSchema.merge(glDetail, discovered: nil, mapping: nil), glDetail, "without lookup the catalog stands")
    }

    func testTransactionCurrencyAmountsAreMovedBesideBaseAmountsAndReconciliationStaysInBase() throws {
        let bill = try XCTUnwrap(ObjectCatalog.standard["APBILL"])
        let listed = bill.fields.map { DiscoveredField(name: $0.name, type: $0.type) } + [
            DiscoveredField(name: "TRX_TOTALENTERED", type: .decimal), DiscoveredField(name: "TRX_TOTALDUE", type: .decimal),
            DiscoveredField(name: "BASECURR", type: .text), DiscoveredField(name: "TRX_UNRELATED", type: .decimal),
        ]
        let merged = DiscoveredSchema.merge(bill, discovered: listed, mapping: SchemaMapping.Object(amountField: "TRX_TOTALENTERED"))
        XCTAssertEqual(merged.field(named: "TRX_TOTALENTERED")?.type, .decimal)
        XCTAssertEqual(merged.field(named: "TRX_TOTALDUE")?.type, .decimal)
        XCTAssertNotNil(merged.field(named: "BASECURR"), "the base currency code says what the base amounts are in")
        XCTAssertNil(merged.field(named: "TRX_UNRELATED"), "only twins of selected amounts")
        XCTAssertEqual(merged.amountField, "TOTALENTERED")
    }

    func testTheMappingFileSetsLevelKeyAndMoneyFieldAndDiscoverWritesThem() throws {
        let schema = DiscoveredSchema(objects: ["CUSTOMER": customer])
        var file = schema.mappingFile(objects: ["CUSTOMER"])
        let entry = try XCTUnwrap(file[object: "CUSTOMER"])
        XCTAssertEqual(entry.level, .top)
        XCTAssertEqual(entry.keyField, "RECORDNO")
        XCTAssertEqual(Set(entry.fields.filter { $0.value.include == true }.keys), Set(customer.map(\.name)))
        file.objects["CUSTOMER"]?.level = .entity
        file.objects["CUSTOMER"]?.keyField = "CUSTOMERID"
        file.objects["CUSTOMER"]?.amountField = "TOTALDUE"
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mapping-\(UUID().uuidString).yaml").path
        try file.write(to: path)
        let loaded = try SchemaMapping.load(from: path)
        let merged = DiscoveredSchema.merge(ObjectCatalog.standard.definition(of: "CUSTOMER", mapping: loaded[object: "CUSTOMER"]),
                                            discovered: customer, mapping: loaded[object: "CUSTOMER"])
        XCTAssertEqual(merged.level, .entity)
        XCTAssertEqual(merged.keyField, "CUSTOMERID")
        XCTAssertEqual(merged.amountField, "TOTALDUE")
    }
}
