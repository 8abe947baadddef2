import Foundation
import DevBroker
import Kafka
import RecordContract
import TestSupport
import XCTest
@testable import Loader

/// The reconciliation's trial-balance check end to end in this process: GL lines and Intacct's own trial
/// balance lines go through a DevBroker and a real loader into the BigQuery emulator, and the check
/// compares them per entity, period and account to the cent.
final class TrialBalanceCheckTests: XCTestCase {
    private func glEntry(_ recordNo: String, date: String, account: String, debit: Bool, amount: String, version: Int = 1) -> KafkaOutgoingMessage {
        message(sampleEnvelope(object: "GLENTRY", recordNo: recordNo, fields: [
            ("RECORDNO", recordNo), ("ENTRY_DATE", date), ("ACCOUNTNO", account), ("TR_TYPE", debit ? "1" : "-1"),
            ("AMOUNT", amount), ("WHENMODIFIED", "01/31/2026 12:0\(version):00"),
        ], whenModified: "2026-01-31T12:0\(version):00Z"))
    }

    private func trialBalance(account: String, debits: String, credits: String, department: String? = nil) -> KafkaOutgoingMessage {
        let key = "2026-01-01..2026-01-31|\(account)" + (department.map { "|DEPARTMENTID=\($0)" } ?? "")
        var fields = [("RECORDNO", key), ("PERIODSTART", "01/01/2026"), ("PERIODEND", "01/31/2026"), ("GLACCOUNTNO", account),
                      ("STARTBALANCE", "0"), ("DEBITS", debits), ("CREDITS", credits), ("ADJDEBITS", "0"), ("ADJCREDITS", "0"),
                      ("ENDBALANCE", "0"), ("REPORTINGBOOK", "ACCRUAL"), ("CURRENCY", "USD")]
        if let department { fields.append(("DEPARTMENTID", department)) }
        return message(sampleEnvelope(object: "TRIALBALANCE", recordNo: key, fields: fields, whenModified: ""))
    }

    private func message(_ envelope: RecordEnvelope) -> KafkaOutgoingMessage {
        KafkaOutgoingMessage(topic: envelope.key.topic, key: envelope.key.description, value: envelope.encoded())
    }

    func testTheTrialBalanceFromGLEntryMatchesIntacctsToTheCentAndShowsEveryDifference() async throws {
        let emulator = try await emulatorHost()
        let broker = try DevBroker()
        let messages = [
            glEntry("1", date: "01/05/2026", account: "4000", debit: true, amount: "100.10"),
            glEntry("2", date: "01/05/2026", account: "1000", debit: false, amount: "100.10"),
            glEntry("3", date: "01/20/2026", account: "4000", debit: false, amount: "30.00"),
            // Outside the period: not in January's trial balance.
            glEntry("4", date: "02/02/2026", account: "4000", debit: true, amount: "999.00"),
            glEntry("5", date: "01/10/2026", account: "4001", debit: true, amount: "50.00"),
            // A line changed after it was first loaded: only its current version counts.
            glEntry("6", date: "01/11/2026", account: "4000", debit: true, amount: "10.00", version: 1),
            glEntry("6", date: "01/11/2026", account: "4000", debit: true, amount: "20.00", version: 2),
            // GL activity Intacct's report does not list.
            glEntry("7", date: "01/12/2026", account: "5000", debit: true, amount: "1.00"),
            // Intacct breaks 4000 down by department: the lines are summed per account.
            trialBalance(account: "4000", debits: "100.10", credits: "30.00", department: "D1"),
            trialBalance(account: "4000", debits: "20.00", credits: "0", department: "D2"),
            trialBalance(account: "1000", debits: "0", credits: "100.10"),
            // One cent apart.
            trialBalance(account: "4001", debits: "50.01", credits: "0"),
            // No activity on either side.
            trialBalance(account: "4002", debits: "0", credits: "0"),
        ]
        try await publish(messages, to: broker.bootstrapServers)
        let dataset = uniqueDatasetName("ibq_tb")
        let loader = try InProcessLoader(configuration: loaderConfiguration(bootstrap: broker.bootstrapServers, emulator: emulator, dataset: dataset),
                                         entity: "E100")
        let client = emulatorClient(host: emulator, dataset: dataset)
        var lines: [TrialBalanceLine] = []
        var lastError: (any Error)?
        do {
            try await eventually("the trial balance check sees every account", timeout: .seconds(180), every: .seconds(1)) {
                do {
                    lines = try await TrialBalanceLine.read(from: client)
                } catch {
                    lastError = error  // a table or view not created yet: the loader is still starting
                }
                return lines.count == 5
            }
        } catch {
            XCTFail("lines: \(lines); last error: \(lastError.map { "\($0)" } ?? "none")")
            throw error
        }
        try await stopAll([loader])
        broker.stop()

        let byAccount = Dictionary(uniqueKeysWithValues: lines.map { ($0.account, $0) })
        XCTAssertEqual(Set(lines.map(\.entity)), ["E100"])
        XCTAssertEqual(Set(lines.map(\.period)), ["2026-01-01..2026-01-31"])
        let revenue = try XCTUnwrap(byAccount["4000"])
        XCTAssertEqual(revenue.warehouseDebits, Decimal(string: "120.10"))
        XCTAssertEqual(revenue.intacctDebits, Decimal(string: "120.10"))
        XCTAssertEqual(revenue.warehouseCredits, Decimal(string: "30.00"))
        XCTAssertTrue(revenue.isEqual)
        XCTAssertTrue(try XCTUnwrap(byAccount["1000"]).isEqual)
        XCTAssertTrue(try XCTUnwrap(byAccount["4002"]).isEqual, "no activity on either side is equal")
        XCTAssertFalse(try XCTUnwrap(byAccount["4001"]).isEqual, "a cent apart is different")
        let unlisted = try XCTUnwrap(byAccount["5000"])
        XCTAssertNil(unlisted.intacctDebits)
        XCTAssertFalse(unlisted.isEqual, "GL activity Intacct does not list is different")
        // No AR invoices were loaded: the AR check has nothing to read, and says so by being empty.
        let receivables = try await ReceivablesTotal.read(from: client)
        XCTAssertTrue(receivables.isEmpty)
    }

    func testAmountsAreComparedToTheCent() {
        func line(_ warehouse: String, _ intacct: String) -> TrialBalanceLine {
            TrialBalanceLine(entity: "E100", period: "p", account: "4000", warehouseDebits: Decimal(string: warehouse), warehouseCredits: nil,
                             intacctDebits: Decimal(string: intacct), intacctCredits: 0)
        }
        XCTAssertTrue(line("10.10", "10.1").isEqual)
        XCTAssertTrue(line("10.100000001", "10.10").isEqual, "BigQuery NUMERIC sums may carry more digits than cents")
        XCTAssertFalse(line("10.11", "10.10").isEqual)
    }
}
