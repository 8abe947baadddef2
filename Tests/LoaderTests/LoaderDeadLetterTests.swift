import Foundation
import DevBroker
import Kafka
import RecordContract
import TestSupport
import XCTest
@testable import Loader

final class LoaderDeadLetterTests: XCTestCase {
    /// Reads `count` messages from the DLQ topic.
    private func deadLetters(_ count: Int, bootstrap: String) async throws -> [[String: Any]] {
        let consumer = try KafkaConsumer(configuration: KafkaConfiguration(bootstrap: bootstrap, properties: [
            // The DLQ topic may appear after this subscription: look for it often.
            "topic.metadata.refresh.interval.ms": "500",
        ]), groupID: "dlq-reader-\(UUID())", logger: quietLogger())
        try consumer.subscribe(topics: ["^intacct\\.demo\\._dlq$"])
        var received: [KafkaMessage] = []
        try await eventually("\(count) dead letters", timeout: .seconds(90)) {
            received += try await consumer.poll(timeout: .milliseconds(200))
            return received.count >= count
        }
        try await consumer.close()
        return received.compactMap { $0.value.flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] } }
    }

    func testUntypableAmountsUndecodableValuesAndRowsBigQueryRejectsGoToTheDLQAndEverythingElseLoads() async throws {
        try await untypableUndecodableAndImpossibleVersions(writeAPI: .insertAll)
    }

    /// The same on the Storage Write path, where the impossible version stamp is refused by the encoder
    /// (the Write API would store it as NULL), so it is a conversion error naming WHENMODIFIED.
    func testOnTheStorageWritePathAnImpossibleVersionStampIsAConversionErrorAndEverythingElseLoads() async throws {
        try await untypableUndecodableAndImpossibleVersions(writeAPI: .storage)
    }

    private func untypableUndecodableAndImpossibleVersions(writeAPI: WriteAPI) async throws {
        let emulator = try await emulatorHost()
        let broker = try DevBroker()
        let company = PublishedCompany(entities: ["E100"], objects: ["APBILL"], topObjects: [], recordsPerObject: 40)
        var messages = company.messages
        let topic = "intacct.demo.e100.apbill"

        // An amount that cannot be typed: caught before BigQuery, named by field, value and key.
        var fields = PublishedCompany.fields(object: "APBILL", entity: "E100", index: 900, version: 1)
        fields[fields.firstIndex { $0.name == "TOTALENTERED" }!].value = "12x.50"
        let bad = RecordEnvelope(key: RecordKey(company: "demo", entity: "E100", object: "APBILL", recordNo: "900"),
                                 whenModified: "2026-01-31T12:00:00Z", extractedAt: "2026-01-31T13:00:00Z", fields: fields)
        // A version BigQuery itself refuses (an impossible timestamp the loader passes through): the
        // emulator fails the whole request with HTTP 500, so the loader must bisect to find it.
        let poison = RecordEnvelope(key: RecordKey(company: "demo", entity: "E100", object: "APBILL", recordNo: "901"),
                                    whenModified: "2026-13-45T00:00:00Z", extractedAt: "2026-01-31T13:00:00Z",
                                    fields: PublishedCompany.fields(object: "APBILL", entity: "E100", index: 901, version: 1))
        messages.insert(KafkaOutgoingMessage(topic: topic, key: bad.key.description, value: bad.encoded()), at: 10)
        messages.insert(KafkaOutgoingMessage(topic: topic, key: poison.key.description, value: poison.encoded()), at: 20)
        messages.insert(KafkaOutgoingMessage(topic: topic, key: "demo/E100/APBILL/902", value: Data("{not json".utf8)), at: 30)
        try await publish(messages, to: broker.bootstrapServers)

        let dataset = uniqueDatasetName("ibq_dlq")
        let loader = try InProcessLoader(
            configuration: loaderConfiguration(bootstrap: broker.bootstrapServers, emulator: emulator, dataset: dataset, writeAPI: writeAPI),
            entity: "E100")
        let client = emulatorClient(host: emulator, dataset: dataset)
        try await waitForTotals(client, company, timeout: .seconds(120))
        let letters = try await deadLetters(3, bootstrap: broker.bootstrapServers)
        try await loader.stop()

        let byKey = Dictionary(letters.map { ($0["key"] as? String ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        let conversion = try XCTUnwrap(byKey["demo/E100/APBILL/900"])
        XCTAssertEqual(conversion["reason"] as? String, "conversion_error")
        XCTAssertEqual(conversion["field"] as? String, "TOTALENTERED")
        XCTAssertEqual(conversion["value"] as? String, "12x.50")
        XCTAssertEqual(conversion["table"] as? String, "apbill")
        XCTAssertEqual(conversion["topic"] as? String, topic)
        XCTAssertNotNil(conversion["offset"] as? Int)
        XCTAssertEqual((conversion["envelope"] as? [String: Any])?["recordno"] as? String, "900", "the original envelope travels with it")

        let rejected = try XCTUnwrap(byKey["demo/E100/APBILL/901"])
        if writeAPI == .storage {
            XCTAssertEqual(rejected["reason"] as? String, "conversion_error")
            XCTAssertEqual(rejected["field"] as? String, "WHENMODIFIED")
            XCTAssertEqual(rejected["value"] as? String, "2026-13-45T00:00:00Z")
        } else {
            XCTAssertEqual(rejected["reason"] as? String, "rejected_by_bigquery")
            // The emulator fails the lone row's request with HTTP 500 and Google's error JSON: the status and
            // reason travel as fields, the row index does not exist for a request-level failure.
            let bigQuery = try XCTUnwrap(rejected["bigquery"] as? [String: Any], "\(rejected)")
            XCTAssertEqual(bigQuery["status"] as? Int, 500)
            XCTAssertEqual(bigQuery["reason"] as? String, "internalError")
            XCTAssertTrue(bigQuery["index"] is NSNull)
        }
        XCTAssertNil(conversion["bigquery"], "conversion errors never reached BigQuery")
        let undecodable = try XCTUnwrap(byKey["demo/E100/APBILL/902"])
        XCTAssertEqual(undecodable["reason"] as? String, "undecodable_envelope")
        XCTAssertEqual(undecodable["envelope_text"] as? String, "{not json")

        let strays = try await client.query("SELECT COUNT(*) AS n FROM \(client.qualified("apbill")) WHERE recordno IN (900, 901, 902)")
        XCTAssertEqual(strays.rows.first?["n"].int64, 0)
    }
}
