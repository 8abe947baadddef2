import Foundation
import Poller
import Cryptography
import RecordContract
import Timestamps
import XCTest

/// The hand-written formatters and writers on the poller's per-record path agree with Foundation's
/// general ones, which they replaced for speed.
final class HotPathEncodingTests: XCTestCase {
    func testTimestampsFormatLikeStringFormat() {
        var date = Date(timeIntervalSince1970: -86_400 * 400)  // 1968
        let end = Date(timeIntervalSince1970: 4_200_000_000)   // 2103
        while date < end {
            let seconds = Int(date.timeIntervalSince1970.rounded(.down))
            let days = Int((Double(seconds) / 86_400).rounded(.down))
            let (y, m, d) = CivilDate.date(fromDays: days)
            let s = seconds - days * 86_400
            XCTAssertEqual(IntacctTimestamp.iso8601(date),
                           String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, s / 3600, s / 60 % 60, s % 60))
            XCTAssertEqual(IntacctTimestamp.format(date), String(format: "%02d/%02d/%04d %02d:%02d:%02d", m, d, y, s / 3600, s / 60 % 60, s % 60))
            XCTAssertEqual(IntacctTimestamp.formatDate(date), String(format: "%02d/%02d/%04d", m, d, y))
            date = date.addingTimeInterval(86_400 * 3 + 3_601 + 0.25)
        }
    }

    func testRFC3339ReadsWhatISO8601DateFormatterReads() {
        let formatter = ISO8601DateFormatter()
        for text in ["2024-01-05T10:00:00-08:00", "2024-01-05T11:00:00Z", "2026-02-28T23:59:59+05:30", "2024-02-29T00:00:00+00:00"] {
            XCTAssertEqual(IntacctTimestamp.parseRFC3339(text), formatter.date(from: text), text)
        }
        XCTAssertEqual(IntacctTimestamp.parseRFC3339("2024-01-05T10:00:00.250Z")?.timeIntervalSince1970,
                       formatter.date(from: "2024-01-05T10:00:00Z")!.timeIntervalSince1970 + 0.25)
        for bad in ["", "2024-01-05", "2024-13-05T10:00:00Z", "2023-02-29T10:00:00Z", "2024-01-05T10:00:00", "2024-01-05T10:00:00+0800"] {
            XCTAssertNil(IntacctTimestamp.parseRFC3339(bad), bad)
        }
    }

    func testJSONStringsEscapeOnlyWhatJSONRequires() throws {
        var out = JSONWriter()
        let tricky = "plain, \"quoted\" back\\slash\ttab\nline\r\u{01}\u{1F} café 🙂 end"
        out.beginObject()
        out.member("value", tricky)
        out.member("empty", "")
        out.endObject()
        let decoded = try JSONSerialization.jsonObject(with: out.data) as? [String: String]
        XCTAssertEqual(decoded?["value"], tricky)
        XCTAssertEqual(decoded?["empty"], "")
        XCTAssertTrue(String(decoding: out.bytes, as: UTF8.self).contains(#"\u0001\u001f café 🙂 end"#))
    }

    /// The content hash as first specified: fields sorted by name (stably), `name NUL value NUL`.
    private func referenceHash(_ fields: [RecordField]) -> String {
        var bytes: [UInt8] = []
        for field in fields.enumerated().sorted(by: { ($0.element.name, $0.offset) < ($1.element.name, $1.offset) }).map(\.element) {
            bytes += Array(field.name.utf8) + [0] + Array(field.value.utf8) + [0]
        }
        return SHA256.hex(bytes)
    }

    func testAReusedFieldOrderHashesLikeSortingEachRecord() {
        let names = ["RECORDNO", "VENDORID", "AMOUNT", "WHENMODIFIED", "DESCRIPTION", "Amount", "AMOUNT"]
        let order = CanonicalFieldOrder(names: names)
        for seed in 0..<20 {
            let fields = names.enumerated().map { RecordField(name: $0.element, value: "v\(seed)-\($0.offset)") }
            XCTAssertEqual(RecordEnvelope.contentHash(of: fields, order: order), referenceHash(fields))
            XCTAssertEqual(RecordEnvelope.contentHash(of: fields), referenceHash(fields))
        }
        // An order computed for other fields is not used.
        let other = [RecordField(name: "B", value: "1"), RecordField(name: "A", value: "2")]
        XCTAssertEqual(RecordEnvelope.contentHash(of: other, order: order), referenceHash(other))
    }
}
