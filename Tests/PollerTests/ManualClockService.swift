import Foundation
import Logging
import Poller
import ServiceLifecycle
import TestSupport

/// A `PollerService` running in its own service group on a test's manual clock.
struct ManualClockService {
    let service: PollerService
    private let clock: ManualClock
    private let group: ServiceGroup
    private let running: Task<Void, Error>

    init(runtime: PollerRuntime, clock: ManualClock, keepRunsPerStream: Int = 10) {
        service = PollerService(runtime: runtime, logger: Logger(label: "test.service"), tick: .milliseconds(20),
                                keepRunsPerStream: keepRunsPerStream)
        let group = ServiceGroup(configuration: .init(services: [.init(service: service)], logger: Logger(label: "test.group")))
        self.clock = clock
        self.group = group
        running = Task { try await group.run() }
    }

    /// The schedule notices the shutdown when it next wakes, and only the clock wakes it: time keeps
    /// moving, a tick at a time, until the service has returned (or the deadline fails the test).
    func stop() async throws {
        await group.triggerGracefulShutdown()
        let clock = clock, running = running
        try await withThrowingTaskGroup(of: Void.self) { stopping in
            stopping.addTask { try await running.value }
            stopping.addTask {
                try await eventually("the service stops", timeout: .seconds(60), every: .milliseconds(20)) {
                    clock.advance(by: .milliseconds(20))
                    return false
                }
            }
            try await stopping.next()
            stopping.cancelAll()
        }
    }
}
