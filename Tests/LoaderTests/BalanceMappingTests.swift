import Catalog
import Loader
import XCTest

final class BalanceMappingTests: XCTestCase {
    func testEachBalanceKindLoadsIntoATypedTableOfItsOwn() throws {
        for name in ["TRIALBALANCE", "ACCOUNTBALANCE"] {
            let mapping = try XCTUnwrap(ObjectMappings.mapping(for: name), name)
            XCTAssertEqual(mapping.tableName, name.lowercased())
            // The key is the poller's period/account string, not an Intacct integer.
            XCTAssertEqual(mapping.field(named: "RECORDNO")?.type, .text)
            XCTAssertEqual(mapping.field(named: "PERIODSTART")?.type, .date)
            XCTAssertEqual(mapping.field(named: "PERIODEND")?.type, .date)
            for amount in ["STARTBALANCE", "DEBITS", "CREDITS", "ADJDEBITS", "ADJCREDITS", "ENDBALANCE"] {
                XCTAssertEqual(mapping.field(named: amount)?.type, .decimal, "\(name).\(amount)")
            }
            for dimension in BalanceObjects.dimensions {
                XCTAssertEqual(mapping.field(named: dimension)?.type, .text, "\(name).\(dimension)")
            }
        }
    }
}
