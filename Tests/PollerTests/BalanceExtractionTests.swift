import Foundation
import Catalog
import Configuration
import Kafka
@testable import Poller
import RecordContract
import Sandbox
import XCTest

/// Intacct's own balances (`get_trialbalance`, `get_accountbalances`) moved as objects of their own.
final class BalanceExtractionTests: XCTestCase {
    private let january = BalancePeriod.month(year: 2024, month: 1)

    func testABalanceRequestWritesItsDatesAsYearMonthAndDay() throws {
        let request = IntacctRequest(senderID: "s", senderPassword: "p", controlID: "c-1", authentication: .session(id: "S1"),
                                     calls: [.init(controlID: "f-1", function: .balances(BalanceQuery(kind: .trialBalance, period: january)))])
        let xml = String(decoding: try request.xml(), as: UTF8.self)
        XCTAssertTrue(xml.contains("<get_trialbalance><startdate><year>2024</year><month>1</month><day>1</day></startdate>"
            + "<enddate><year>2024</year><month>1</month><day>31</day></enddate></get_trialbalance>"), xml)
        XCTAssertEqual(IntacctFunction.balances(BalanceQuery(kind: .accountBalances, period: january)).name, "get_accountbalances")
    }

    func testPeriodsAreMonthsOrRangesAndRecentMonthsCountBackFromToday() throws {
        XCTAssertEqual(BalancePeriod("2024-02")?.description, "2024-02-01..2024-02-29")
        XCTAssertEqual(BalancePeriod("2024-01-01..2024-03-31")?.description, "2024-01-01..2024-03-31")
        XCTAssertEqual(BalancePeriod("2024-12")?.endText, "12/31/2024")
        XCTAssertNil(BalancePeriod("2024-13"))
        XCTAssertNil(BalancePeriod("2024-02-30..2024-03-01"), "a day the month does not have")
        XCTAssertNil(BalancePeriod("2024-03-01..2024-01-01"), "a range that ends before it starts")
        let settings = BalanceSettings(recentMonths: 3, periods: [january])
        let march15 = Date(timeIntervalSince1970: 1_710_504_000)  // 2024-03-15T12:00:00Z
        XCTAssertEqual(settings.periods(on: march15).map(\.description),
                       ["2024-01-01..2024-01-31", "2024-02-01..2024-02-29", "2024-03-01..2024-03-31"])
        XCTAssertEqual(BalancePeriod.months(endingWith: 19_723, count: 2).map(\.description),  // 2024-01-01
                       ["2023-12-01..2023-12-31", "2024-01-01..2024-01-31"])
    }

    func testTheBalancesSettingIsValidatedAndNamesItsKey() throws {
        func load(_ balances: String) throws -> PollerConfiguration { try OfflinePollerConfiguration.load(trailing: balances) }
        XCTAssertNil(try load("").balances)
        let settings = try XCTUnwrap(try load("balances:\n  recent_months: 2\n  entities: [E100]").balances)
        XCTAssertEqual(settings.kinds, [.trialBalance, .accountBalances])
        XCTAssertEqual(settings.entities, ["E100"])
        XCTAssertThrowsError(try load("balances:\n  kinds: [ledger]\n  recent_months: 1")) { XCTAssertTrue("\($0)".contains("kinds"), "\($0)") }
        XCTAssertThrowsError(try load("balances:\n  periods: [\"2024-1\"]")) { XCTAssertTrue("\($0)".contains("periods"), "\($0)") }
        XCTAssertThrowsError(try load("balances:\n  kinds: [trial_balance]")) { XCTAssertTrue("\($0)".contains("periods"), "\($0)") }
    }

    /// A `get_trialbalance` answer in the reference's shape becomes records keyed by period, account and
    /// the dimensions of the line, published to the trial balance's own topic.
    func testTrialBalanceLinesBecomeRecordsOfTheirOwnObject() throws {
        let xml = """
        <?xml version="1.0" encoding="UTF-8"?>
        <response><control><status>success</status><senderid>s</senderid><controlid>c</controlid><uniqueid>false</uniqueid><dtdversion>3.0</dtdversion></control>
        <operation><authentication><status>success</status><userid>u</userid><companyid>DEMO</companyid><locationid>E100</locationid>
        <sessiontimestamp>2024-02-01T10:00:00-08:00</sessiontimestamp><sessiontimeout>2024-02-01T11:00:00-08:00</sessiontimeout></authentication>
        <result><status>success</status><function>get_trialbalance</function><controlid>f-1</controlid>
        <data listtype="trialbalance" count="3">
        <trialbalance><glaccountno>1000</glaccountno><startbalance>100.00</startbalance><debits>50.25</debits><credits>10.00</credits>
          <adjdebits>0</adjdebits><adjcredits>0</adjcredits><endbalance>140.25</endbalance><reportingbook>ACCRUAL</reportingbook><currency>USD</currency></trialbalance>
        <trialbalance><glaccountno>1000</glaccountno><departmentid>D10</departmentid><startbalance>0</startbalance><debits>5</debits><credits>0</credits>
          <adjdebits>0</adjdebits><adjcredits>0</adjcredits><endbalance>5</endbalance><reportingbook>ACCRUAL</reportingbook><currency>USD</currency></trialbalance>
        <trialbalance><startbalance>1</startbalance></trialbalance>
        </data></result></operation></response>
        """
        let result = try XCTUnwrap(IntacctResponseReader().read(Data(xml.utf8)).results.first)
        XCTAssertEqual(result.rows.count, 3)
        let lines = result.rows.compactMap { BalanceLine.record($0, period: january) }
        XCTAssertEqual(lines.count, 2, "a line without an account cannot be keyed")
        XCTAssertEqual(lines.map { $0["RECORDNO"] }, [
            "2024-01-01..2024-01-31|1000|REPORTINGBOOK=ACCRUAL|CURRENCY=USD",
            "2024-01-01..2024-01-31|1000|REPORTINGBOOK=ACCRUAL|CURRENCY=USD|DEPARTMENTID=D10",
        ])
        XCTAssertEqual(lines[0]["PERIODSTART"], "01/01/2024")
        XCTAssertEqual(lines[0]["PERIODEND"], "01/31/2024")
        XCTAssertEqual(lines[0]["ENDBALANCE"], "140.25")

        var builder = RecordMessageBuilder(topics: Topics(company: "demo"), entity: "E100", object: BalanceKind.trialBalance.object)
        let message = try XCTUnwrap(builder.message(for: lines[0], extractedAt: "2024-02-01T18:00:00Z"))
        XCTAssertEqual(message.topic, "intacct.demo.e100.trialbalance")
        let envelope = try RecordEnvelope.decode(XCTUnwrap(message.value))
        XCTAssertEqual(envelope.object, "TRIALBALANCE")
        XCTAssertEqual(envelope.whenModified, "", "balances have no WHENMODIFIED; the newest extraction is current")
    }

    /// Lines Intacct may send that the sandbox never does (a dimension breakdown, a line without an
    /// account) reach the balance object's topic keyed per line, or the audit topic instead of being lost.
    func testBalanceLinesArePublishedToTheirTopicAndALineWithoutAnAccountIsAudited() async throws {
        try await PollerHarness.with(scale: 300) { harness in
            let yaml = harness.yaml(objects: ["- APBILL"]) + "\nbalances:\n  kinds: [account_balances]\n  periods: [\"2026-01\"]\n"
            let runtime = try await harness.runtime(yaml)
            let balances = try XCTUnwrap(runtime.balances)
            func line(_ fields: [(String, String)]) -> IntacctRow { IntacctRow(fields: fields.map { RecordField(name: $0.0, value: $0.1) }) }
            let rows = [
                line([("glaccountno", "1000"), ("startbalance", "10.00"), ("debits", "5.00"), ("credits", "1.00"), ("endbalance", "14.00")]),
                line([("glaccountno", "1000"), ("locationid", "L2"), ("debits", "2.00"), ("credits", "0"), ("endbalance", "2.00")]),
                line([("startbalance", "3.00")]),
            ]
            var report = BalanceRunReport(entity: "E300", kind: .accountBalances, period: january)
            try await balances.publish(rows, of: BalanceQuery(kind: .accountBalances, period: january), entity: "E300", runID: "t", into: &report)
            await runtime.close()
            XCTAssertEqual(report.records, 2)
            XCTAssertEqual(report.brokenLines, 1)

            let messages = try await harness.messages([harness.topic("E300", "ACCOUNTBALANCE")])
            XCTAssertEqual(messages.compactMap(\.keyString).sorted(), [
                "\(harness.company)/E300/ACCOUNTBALANCE/2024-01-01..2024-01-31|1000",
                "\(harness.company)/E300/ACCOUNTBALANCE/2024-01-01..2024-01-31|1000|LOCATIONID=L2",
            ])
            let envelope = try RecordEnvelope.decode(XCTUnwrap(messages.first?.value))
            XCTAssertEqual(envelope.fields.first { $0.name == "GLACCOUNTNO" }?.value, "1000")
            let audit = try await harness.messages([Topics(company: harness.company).audit]).compactMap { message in
                message.value.flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
            }
            XCTAssertEqual(audit.filter { $0["type"] as? String == "broken_row" && $0["object"] as? String == "ACCOUNTBALANCE" }.count, 1)
        }
    }

    /// A report Intacct refuses (an application error on E100's get_trialbalance) is audited; E200's report
    /// and the record streams of the same run are untouched.
    func testAReportIntacctRefusesIsAuditedAndTheOthersGoOn() async throws {
        try await PollerHarness.with(scale: 500) { harness in
            let yaml = harness.yaml(objects: ["- APBILL"]) + "\nbalances:\n  kinds: [trial_balance]\n  periods: [\"2026-01\"]\n  entities: [E100, E200]\n"
            let runtime = try await harness.runtime(yaml)
            let streams = await runtime.coordinator.run(runtime.coordinator.targets, trigger: "test")
            harness.sandbox.addFault(SandboxFault(kind: .applicationError, function: "get_trialbalance", times: 1, errorno: "BL01001973",
                                                  description: "Could not compute the trial balance"))
            let balances = try XCTUnwrap(runtime.balances)
            let reports = await balances.run(runID: "test-balances")
            await runtime.close()
            XCTAssertTrue(streams.allSatisfy(\.succeeded))
            XCTAssertEqual(reports.map(\.entity), ["E100", "E200"])
            XCTAssertFalse(reports[0].succeeded)
            XCTAssertNil(reports[1].failure, "the next report goes on")
            XCTAssertGreaterThan(reports[1].records, 0)
            let audit = try await harness.messages([Topics(company: harness.company).audit])
            let failures = audit.compactMap { $0.value.flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] } }
                .filter { $0["type"] as? String == "intacct_error" && $0["object"] as? String == "TRIALBALANCE" }
            XCTAssertEqual(failures.count, 1, "one audit record for the refused report")
            XCTAssertEqual(failures.first?["stage"] as? String, "balances")
            XCTAssertEqual(failures.first?["entity"] as? String, "E100")
            XCTAssertTrue("\(failures.first ?? [:])".contains("BL01001973"), "\(failures)")
        }
    }

    /// Against the sandbox's get_trialbalance (consistent with GLENTRY).
    func testTrialBalanceReachesItsTopicFromTheSandbox() async throws {
        try await PollerHarness.with(scale: 500) { harness in
            let yaml = harness.yaml(objects: ["- GLACCOUNT"]) + "\nbalances:\n  kinds: [trial_balance]\n  periods: [\"2026-01\"]\n  entities: [E100]\n"
            let runtime = try await harness.runtime(yaml)
            let balances = try XCTUnwrap(runtime.balances)
            let reports = await balances.run(runID: "test-balances")
            // The same report again: every line is as published, so nothing is sent twice.
            let again = await balances.run(runID: "test-balances-again")
            await runtime.close()
            let report = try XCTUnwrap(reports.first)
            XCTAssertEqual(again.first?.records, 0, "a re-read report publishes only lines whose figures changed")
            XCTAssertEqual(again.first?.unchanged, report.records)
            XCTAssertNil(report.failure)
            XCTAssertGreaterThan(report.records, 0)
            let messages = try await harness.messages([harness.topic("E100", "TRIALBALANCE")])
            XCTAssertEqual(messages.count, report.records)
            let keys = Set(messages.compactMap(\.keyString))
            XCTAssertEqual(keys.count, messages.count, "one key per line")
            for message in messages {
                let envelope = try RecordEnvelope.decode(XCTUnwrap(message.value))
                let fields = Dictionary(envelope.fields.map { ($0.name, $0.value) }) { first, _ in first }
                XCTAssertEqual(fields["PERIODSTART"], "01/01/2026")
                XCTAssertNotNil(fields["GLACCOUNTNO"])
                XCTAssertNotNil(fields["ENDBALANCE"])
            }
        }
    }
}
