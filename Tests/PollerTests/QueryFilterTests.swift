@testable import Poller
import XCTest

final class QueryFilterTests: XCTestCase {
    private func xml(_ filter: QueryFilter) throws -> String {
        var writer = XMLWriter(declaration: false)
        try filter.write(into: &writer)
        return writer.text
    }

    func testEveryComparisonRendersAsItsOperatorElement() throws {
        let cases: [(QueryFilter, String)] = [
            (.equalTo("A", "1"), "equalto"), (.notEqualTo("A", "1"), "notequalto"),
            (.lessThan("A", "1"), "lessthan"), (.lessThanOrEqualTo("A", "1"), "lessthanorequalto"),
            (.greaterThan("A", "1"), "greaterthan"), (.greaterThanOrEqualTo("A", "1"), "greaterthanorequalto"),
            (.like("A", "1"), "like"), (.notLike("A", "1"), "notlike"),
        ]
        for (filter, name) in cases {
            XCTAssertEqual(try xml(filter), "<\(name)><field>A</field><value>1</value></\(name)>")
        }
        XCTAssertEqual(try xml(.between("D", "1", "2")), "<between><field>D</field><value>1</value><value>2</value></between>")
        XCTAssertEqual(try xml(.in("S", ["a", "b"])), "<in><field>S</field><value>a</value><value>b</value></in>")
        XCTAssertEqual(try xml(.notIn("S", ["a"])), "<notin><field>S</field><value>a</value></notin>")
        XCTAssertEqual(try xml(.isNull("P")), "<isnull><field>P</field></isnull>")
        XCTAssertEqual(try xml(.isNotNull("P")), "<isnotnull><field>P</field></isnotnull>")
    }

    func testAndOrNestAndNeedTwoOperands() throws {
        let filter = QueryFilter.and(.equalTo("A", "1"), .or(.isNull("B"), .equalTo("B", "x")))
        XCTAssertEqual(try xml(filter), "<and><equalto><field>A</field><value>1</value></equalto><or><isnull><field>B</field></isnull><equalto><field>B</field><value>x</value></equalto></or></and>")
        // Fewer than two operands cannot become an and/or at all.
        XCTAssertNil(QueryFilter.allOf([]))
        XCTAssertEqual(QueryFilter.allOf([.isNull("A")]), .isNull("A"))
        XCTAssertEqual(QueryFilter.anyOf([.isNull("A")]), .isNull("A"))
        XCTAssertEqual(QueryFilter.allOf([.isNull("A"), .isNull("B"), .isNull("C")]), .and(.isNull("A"), .isNull("B"), [.isNull("C")]))
    }

    func testAnInListWithoutValuesIsRejected() {
        XCTAssertThrowsError(try xml(.in("S", [])))
        XCTAssertThrowsError(try QueryFilter.notIn("S", []).queryString())
    }

    func testQueryStringQuotesValuesAndEscapesApostrophes() throws {
        XCTAssertEqual(try QueryFilter.equalTo("NAME", "O'Brien").queryString(), #"NAME = 'O\'Brien'"#)
        let filter = QueryFilter.and(.greaterThanOrEqualTo("WHENMODIFIED", "01/01/2024 00:00:00"),
                                     .or(.in("STATUS", ["active", "inactive"]), .isNull("STATUS")),
                                     [.notLike("NAME", "x%")])
        XCTAssertEqual(try filter.queryString(),
                       "WHENMODIFIED >= '01/01/2024 00:00:00' AND (STATUS IN ('active', 'inactive') OR STATUS IS NULL) AND NAME NOT LIKE 'x%'")
        XCTAssertEqual(try QueryFilter.isNotNull("P").queryString(), "P IS NOT NULL")
        XCTAssertEqual(try QueryFilter.notEqualTo("A", "1").queryString(), "NOT A = '1'")
    }
}
