import Foundation
import Logging
import HTTP
import Operations
import Poller
import TestSupport
import XCTest

/// The poller's `/readyz`, asked over the wire of a real operations server: it names Kafka when the
/// broker is gone and Intacct when the gateway is, and it costs Intacct no API requests.
final class PollerReadinessTests: XCTestCase {
    /// An operations server answering with the runtime's readiness, on an ephemeral loopback port.
    private final class Endpoint: Sendable {
        let server: OperationsServer
        let serving: Task<Void, Error>
        let port: UInt16

        init(_ runtime: PollerRuntime) async throws {
            let readiness = runtime.readiness
            server = try OperationsServer(host: "127.0.0.1", port: 0, logger: Logger(label: "test.operations"),
                                          readiness: { await readiness.reasons() })
            let server = server
            serving = Task { try await server.run() }
            port = try await server.boundPort()
        }

        func readyz() async throws -> (status: Int, body: String) {
            let response = try await HTTPClient().send(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/readyz", timeout: .seconds(10)))
            return (response.status, String(decoding: response.body, as: UTF8.self))
        }

        func stop() {
            serving.cancel()
        }
    }

    func testReadyzIsOKWhileBrokerAndSandboxAnswerAndNamesKafkaOnceTheBrokerStops() async throws {
        try await PollerHarness.with(scale: 200) { harness in
            let clock = ManualClock()
            let runtime = try await harness.runtime(harness.yaml(objects: ["- GLACCOUNT"]), clock: clock)
            let endpoint = try await Endpoint(runtime)
            defer { endpoint.stop() }

            var answer = try await endpoint.readyz()
            XCTAssertEqual(answer.status, 200, answer.body)

            harness.broker.stop()
            // The last metadata answer stands for a few seconds; move past them instead of waiting.
            clock.advance(by: .seconds(6))
            try await eventually("/readyz reports the stopped broker", timeout: .seconds(30)) {
                answer = try await endpoint.readyz()
                return answer.status == 503
            }
            XCTAssertTrue(answer.body.contains("Kafka unreachable"), answer.body)
            XCTAssertFalse(answer.body.contains("Intacct"), "the sandbox still answers: \(answer.body)")
            await runtime.close()
        }
    }

    func testReadyzNamesIntacctOnceTheGatewayStopsAnsweringWithoutSpendingAPIRequests() async throws {
        try await PollerHarness.with(scale: 200) { harness in
            let clock = ManualClock()
            let runtime = try await harness.runtime(harness.yaml(objects: ["- GLACCOUNT"]), clock: clock)
            let endpoint = try await Endpoint(runtime)
            defer { endpoint.stop() }

            let reports = await runtime.coordinator.run(runtime.coordinator.targets, trigger: "test")
            XCTAssertTrue(reports.allSatisfy(\.succeeded), "\(reports.map(\.failure))")
            let requests = harness.sandbox.stats().requests
            for _ in 0..<20 {
                let answer = try await endpoint.readyz()
                XCTAssertEqual(answer.status, 200, answer.body)
            }
            XCTAssertEqual(harness.sandbox.stats().requests, requests, "readiness sent Intacct no API request")

            let port = harness.sandbox.port
            await harness.sandbox.stop()
            // The run's answers are still fresh: readiness does not probe yet, so it still says ready.
            let fresh = try await endpoint.readyz()
            XCTAssertEqual(fresh.status, 200, fresh.body)
            clock.advance(by: .seconds(31))
            var answer = (status: 0, body: "")
            try await eventually("/readyz reports the stopped sandbox", timeout: .seconds(30)) {
                answer = try await endpoint.readyz()
                return answer.status == 503
            }
            XCTAssertTrue(answer.body.contains("Intacct unreachable"), answer.body)
            XCTAssertFalse(answer.body.contains("Kafka"), "the broker still answers: \(answer.body)")

            // Back on its port: the next probe finds it.
            try await harness.sandbox.start(port: port)
            clock.advance(by: .seconds(31))
            try await eventually("/readyz is ready again", timeout: .seconds(30)) {
                answer = try await endpoint.readyz()
                return answer.status == 200
            }
            await runtime.close()
        }
    }
}
