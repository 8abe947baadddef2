import Foundation
import RecordContract
import XCTest

final class TopicsTests: XCTestCase {
    private let topics = Topics(company: "DEMO")

    func testEveryTopicOfACompanyIsSpelledLowercaseUnderOnePrefix() {
        XCTAssertEqual(topics.prefix, "intacct.demo.")
        XCTAssertEqual(topics.records(entity: "E100", object: "APBILL"), "intacct.demo.e100.apbill")
        XCTAssertEqual(topics.records(entity: RecordKey.topLevelEntity, object: "GLACCOUNT"), "intacct.demo.top.glaccount")
        XCTAssertEqual(topics.state, "intacct.demo._state")
        XCTAssertEqual(topics.audit, "intacct.demo._audit")
        XCTAssertEqual(topics.deadLetters, "intacct.demo._dlq")
        XCTAssertEqual(topics.company, "DEMO", "keys and envelopes keep the company as configured")
        for topic in [topics.records(entity: "E100", object: "APBILL"), topics.state, topics.audit, topics.deadLetters] {
            XCTAssertTrue(topic.hasPrefix(topics.prefix), topic)
        }
    }

    func testARecordKeysTopicIsItsStreamsRecordTopic() {
        let key = RecordKey(company: "DEMO", entity: "E100", object: "apbill", recordNo: "42")
        XCTAssertEqual(key.topic, topics.records(entity: "E100", object: "APBILL"))
    }

    func testARecordTopicReadsBackAsItsStreamAndSideTopicsDoNot() throws {
        let stream = try XCTUnwrap(Topics.recordStream(of: topics.records(entity: "E100", object: "APBILL")))
        XCTAssertEqual([stream.company, stream.entity, stream.object], ["demo", "e100", "apbill"])
        for other in [topics.state, topics.audit, topics.deadLetters, "other.demo.e100.apbill", "intacct.demo.e100.apbill.x", ""] {
            XCTAssertNil(Topics.recordStream(of: other), other)
        }
    }

    func testSubscriptionsMatchTheirOwnTopicsOnly() {
        func matches(_ pattern: String, _ topic: String) -> Bool { topic.range(of: pattern, options: .regularExpression) != nil }
        let e100 = topics.recordsSubscription(entity: "E100")
        XCTAssertTrue(matches(e100, topics.records(entity: "E100", object: "APBILL")))
        XCTAssertFalse(matches(e100, topics.records(entity: "E1000", object: "APBILL")))
        XCTAssertFalse(matches(e100, topics.audit))
        XCTAssertTrue(matches(topics.auditSubscription, topics.audit))
        XCTAssertFalse(matches(topics.auditSubscription, topics.deadLetters))
    }
}
