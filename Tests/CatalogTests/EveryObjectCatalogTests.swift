import Catalog
import XCTest

/// The catalog's defaults for issue #16's objects: where each lives, how it is keyed and read, and which
/// field reconciliation sums. The types themselves are checked against a real `lookup` end to end
/// (`EndToEndTests.EveryObjectTests`).
final class EveryObjectCatalogTests: XCTestCase {
    private func object(_ name: String) throws -> IntacctObject { try XCTUnwrap(ObjectCatalog.standard[name], name) }

    func testSharedRecordsAreTopLevelAndSubsidiaryDocumentsArePerEntity() throws {
        for name in ["CUSTOMER", "ITEM", "EMPLOYEE", "TASK", "PROVIDERBANKACCOUNT"] {
            XCTAssertEqual(try object(name).level, .top, name)
        }
        for name in ["ARINVOICE", "ARINVOICEITEM", "ARPYMT", "ARADJUSTMENT", "ARADJUSTMENTITEM",
                     "CHECKINGACCOUNT", "SAVINGSACCOUNT", "CREDITCARD", "DEPOSIT", "GLBUDGETITEM"] {
            XCTAssertEqual(try object(name).level, .entity, name)
            XCTAssertNotNil(try object(name).field(named: "MEGAENTITYID"), "\(name) says which subsidiary owns it")
        }
    }

    func testEveryNewObjectIsKeyedByRecordNumberAndOnlyBankFeedsAreReadAsSnapshots() throws {
        for name in ["CUSTOMER", "ARINVOICE", "ARINVOICEITEM", "ARPYMT", "ARADJUSTMENT", "ARADJUSTMENTITEM", "CHECKINGACCOUNT",
                     "SAVINGSACCOUNT", "CREDITCARD", "DEPOSIT", "PROVIDERBANKACCOUNT", "ITEM", "EMPLOYEE", "TASK", "GLBUDGETITEM"] {
            let entry = try object(name)
            XCTAssertEqual(entry.keyField, "RECORDNO", name)
            XCTAssertEqual(entry.field(named: "RECORDNO")?.type, .integer, name)
            XCTAssertEqual(entry.readsSnapshots, name == "PROVIDERBANKACCOUNT", name)
            XCTAssertFalse(entry.takesEveryListedField, "\(name) selects its standard fields, not the hundreds Intacct lists")
        }
    }

    func testMoneyFieldsAreTheBaseCurrencyAmountsTheSandboxTotals() throws {
        let expected: [String: String?] = [
            "ARINVOICE": "TOTALENTERED", "ARPYMT": "TOTALENTERED", "ARADJUSTMENT": "TOTALENTERED", "DEPOSIT": "TOTALENTERED",
            "ARINVOICEITEM": "AMOUNT", "ARADJUSTMENTITEM": "AMOUNT", "GLBUDGETITEM": "AMOUNT",
            "CUSTOMER": nil, "ITEM": nil, "EMPLOYEE": nil, "TASK": nil, "CHECKINGACCOUNT": nil, "SAVINGSACCOUNT": nil,
            "CREDITCARD": nil, "PROVIDERBANKACCOUNT": nil,
        ]
        for (name, amount) in expected {
            let entry = try object(name)
            XCTAssertEqual(entry.amountField, amount, name)
            if let amount { XCTAssertEqual(entry.field(named: amount)?.type, .decimal, name) }
        }
    }

    func testACustomPlatformObjectStaysOutOfTheCatalogAndTakesEveryListedField() {
        XCTAssertNil(ObjectCatalog.standard["CUSTOMER_CONTRACT"])
        let start = ObjectCatalog.standard.definition(of: "CUSTOMER_CONTRACT")
        XCTAssertTrue(start.takesEveryListedField)
        XCTAssertEqual(start.level, .top)
    }

    func testLookupAddsCustomFieldsAndTransactionTwinsToANewCatalogObject() throws {
        let listed = try object("ARPYMT").fields.map { DiscoveredField(name: $0.name, type: $0.type) }
            + [DiscoveredField(name: "CUSTOMFIELD_LOCKBOX_REFERENCE", type: .text, isCustom: true),
               DiscoveredField(name: "PAYMENTKEY", type: .integer)]
        let merged = DiscoveredSchema.merge(try object("ARPYMT"), discovered: listed, mapping: nil)
        XCTAssertEqual(merged.field(named: "CUSTOMFIELD_LOCKBOX_REFERENCE")?.isCustom, true)
        XCTAssertNotNil(merged.field(named: "TRX_TOTALENTERED"))
        XCTAssertNil(merged.field(named: "PAYMENTKEY"), "a standard field the catalog does not select stays out")
        XCTAssertEqual(merged.amountField, "TOTALENTERED")
    }
}
