import FlyingFox
import FlyingSocks
import Foundation
import DevBroker
import HTTP
import Kafka
import Synchronization
import TestSupport
import XCTest
@testable import Loader

/// A worker's memory is bounded by its budget of held records, not by how far behind it is.
final class HoldingBudgetTests: XCTestCase {
    func testTheBudgetPausesAtItsLimitAndResumesOnlyAtHalf() {
        var budget = HoldingBudget(limit: 1000)
        XCTAssertNil(budget.update(holding: 999))
        XCTAssertEqual(budget.room(holding: 999), 1)
        XCTAssertEqual(budget.update(holding: 1000), .pause)
        XCTAssertTrue(budget.isPaused)
        XCTAssertEqual(budget.room(holding: 600), 0, "nothing is taken while paused")
        XCTAssertNil(budget.update(holding: 1000), "already paused")
        XCTAssertNil(budget.update(holding: 501), "still above half: stays paused, no pause/resume churn")
        XCTAssertEqual(budget.update(holding: 500), .resume)
        XCTAssertFalse(budget.isPaused)
        XCTAssertEqual(budget.room(holding: 500), 500)
        XCTAssertNil(budget.update(holding: 900))
        XCTAssertEqual(budget.update(holding: 1200), .pause)
        XCTAssertEqual(budget.pauses, 2)
    }

    func testAWorkerBehindASlowBigQueryHoldsNoMoreThanItsBudgetAndStillLoadsEverything() async throws {
        let sink = try await SlowBigQuery.start(delay: .milliseconds(150))
        let broker = try DevBroker()
        // Four tables, a clock that stands still (so the linger never comes), and batch_rows equal to the
        // budget: a batch can only fill when it is everything held, so the budget is the only thing that
        // flushes and the worker must pause, drain and resume, again and again. 2,100 records are seven
        // budgets' worth, so the last of them flush too. (With batch_rows 100 a fetch that ran down one
        // topic at a time filled batches before the budget, and the pause this test waits for sometimes
        // never came.)
        let objects = ["APBILL", "APPYMT", "GLENTRY", "GLBATCH"]
        var messages: [KafkaOutgoingMessage] = []
        for index in 0..<2100 {
            let envelope = sampleEnvelope(object: objects[index % 4], recordNo: "\(index)", fields: [("RECORDNO", "\(index)")])
            messages.append(KafkaOutgoingMessage(topic: envelope.key.topic, key: envelope.key.description, value: envelope.encoded()))
        }
        try await publish(messages, to: broker.bootstrapServers)

        var configuration = loaderConfiguration(bootstrap: broker.bootstrapServers, emulator: "127.0.0.1:\(sink.port)",
                                                dataset: uniqueDatasetName("ibq_budget"), lingerMilliseconds: 3000,
                                                writeAPI: .insertAll)
        configuration.loader.batchRows = 300
        configuration.loader.maxBufferedRows = 300
        let loader = try InProcessLoader(configuration: configuration, entity: "E100", clock: ManualClock())
        let worker = try XCTUnwrap(loader.service.workers.first)

        try await eventually("the budget pauses the worker", timeout: .seconds(60), every: .milliseconds(5)) {
            worker.holding.isPaused
        }
        try await eventually("every record is loaded", timeout: .seconds(120), every: .milliseconds(100)) {
            sink.rows >= messages.count
        }
        try await eventually("the worker resumed after the last flush", timeout: .seconds(10)) {
            !worker.holding.isPaused
        }
        let holding = worker.holding
        XCTAssertEqual(holding.budget, 300)
        XCTAssertLessThanOrEqual(holding.peakRecords, 300, "held more than its budget")
        XCTAssertGreaterThan(holding.peakRecords, 0)
        XCTAssertEqual(holding.pauses, messages.count / 300, "every flush here comes from the budget, one per 300 records")
        XCTAssertEqual(sink.rows, messages.count, "a record was loaded twice or lost")
        try await loader.stop()
        await sink.stop()
    }
}

/// Enough of BigQuery for a loader (tables are created, views and queries succeed) whose insertAll
/// answers only after `delay`, counting the rows it accepted.
final class SlowBigQuery: Sendable {
    private let server: HTTPServer
    private let task: Task<Void, any Error>
    private let accepted = Atomic(0)
    /// Known once the server listens, which is after its route (and so this stub) exists.
    private let listeningPort = Atomic<UInt16>(0)

    private init(server: HTTPServer, task: Task<Void, any Error>) {
        self.server = server
        self.task = task
    }

    var rows: Int { accepted.load(ordering: .acquiring) }
    var port: UInt16 { listeningPort.load(ordering: .acquiring) }

    static func start(delay: Duration) async throws -> SlowBigQuery {
        let server = HTTPServer(address: try .inet(ip4: "127.0.0.1", port: 0), timeout: 30, logger: .disabled)
        let task = Task { try await server.run() }
        let stub = SlowBigQuery(server: server, task: task)
        await server.appendRoute("*") { [stub] request in
            let body = try await request.bodyData
            let path = request.path
            func json(_ status: Int, _ text: String) -> FlyingFox.HTTPResponse {
                FlyingFox.HTTPResponse(statusCode: HTTPStatusCode(status, phrase: status == 200 ? "OK" : "Not Found"),
                                       headers: [.contentType: "application/json"], body: Data(text.utf8))
            }
            if request.method == .POST && path.hasSuffix("/insertAll") {
                try await Task.sleep(for: delay)  // BigQuery's latency, played slow
                let rows = String(decoding: body, as: UTF8.self).components(separatedBy: #""insertId":"#).count - 1
                stub.accepted.add(rows, ordering: .acquiringAndReleasing)
                return json(200, #"{"kind":"bigquery#tableDataInsertAllResponse"}"#)
            }
            if request.method == .POST && path.hasSuffix("/queries") {
                return json(200, #"{"kind":"bigquery#queryResponse","jobReference":{"projectId":"demo","jobId":"slow"},"jobComplete":true}"#)
            }
            if request.method == .GET && path.contains("/tables/") {
                return json(404, #"{"error":{"code":404,"message":"not found","errors":[{"reason":"notFound"}]}}"#)
            }
            return json(200, "{}")
        }
        try await server.waitUntilListening(timeout: 10)
        guard case let .ip4(_, port)? = await server.listeningAddress else { throw CancellationError() }
        stub.listeningPort.store(port, ordering: .releasing)
        return stub
    }

    func stop() async {
        await server.stop(timeout: 1)
        task.cancel()
    }
}
