import Foundation
import Poller
import TestSupport
import XCTest

final class RequestThrottleTests: XCTestCase {
    func testAFreedSlotGoesToTheWaiterWithTheMostRowsLeftThenFirstComeFirstServed() async throws {
        let throttle = RequestThrottle(maxConcurrent: 1, requestsPerSecond: 1000)
        try await throttle.acquire()
        let order = ServedOrder()
        func waiter(_ name: String, priority: Int) -> Task<Void, Error> {
            Task {
                try await RequestThrottle.$priority.withValue(priority) {
                    try await throttle.run { await order.append(name) }
                }
            }
        }
        var tasks: [Task<Void, Error>] = []
        // Queued one at a time, so arrival order is known.
        for (name, priority) in [("short", 10), ("long", 5_000), ("short-later", 10), ("longest", 90_000)] {
            let before = await throttle.waiting
            tasks.append(waiter(name, priority: priority))
            try await eventually("\(name) queued") { await throttle.waiting == before + 1 }
        }
        await throttle.release()
        for task in tasks { try await task.value }
        let served = await order.names
        XCTAssertEqual(served, ["longest", "long", "short", "short-later"])
    }
}

private actor ServedOrder {
    var names: [String] = []
    func append(_ name: String) { names.append(name) }
}
