import Foundation
import Sandbox
import XCTest

/// The fault behind the fault matrix's "row BigQuery rejects": one record's field gets text appended in
/// every read of it, and nothing else changes.
final class UntypeableValueFaultTests: XCTestCase {
    func testOneRecordsAmountCarriesTheSuffixInEveryReadAndOtherRowsStayAsTheyWere() async throws {
        let sandbox = try await SandboxHarness(scale: 2_000)
        let session = try await sandbox.session(entity: "E200")
        let clean = try await sandbox.queryAll(session: session, object: "APPYMT", fields: ["RECORDNO", "AMOUNT"], pageSize: 50)
        let target = try XCTUnwrap(clean.dropFirst(3).first?["RECORDNO"])
        let answer = try await sandbox.admin("POST", "/admin/faults",
                                             json: #"{"kind":"untypeable_value","object":"APPYMT","recordno":"\#(target)","times":-1}"#)
        XCTAssertEqual(answer.status, 200, answer.bodyText)

        for _ in 0..<2 {
            let read = try await sandbox.queryAll(session: session, object: "APPYMT", fields: ["RECORDNO", "AMOUNT"], pageSize: 50)
            XCTAssertEqual(read.count, clean.count)
            for (before, after) in zip(clean, read) {
                if before["RECORDNO"] == target {
                    XCTAssertEqual(after["AMOUNT"], (before["AMOUNT"] ?? "") + " USD")
                } else {
                    XCTAssertEqual(after, before)
                }
            }
        }
        await sandbox.stop()
    }
}
