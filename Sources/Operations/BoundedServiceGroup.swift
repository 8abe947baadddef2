import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

/// How every long-running command runs its services: a swift-service-lifecycle `ServiceGroup` that
/// SIGTERM or SIGINT shuts down gracefully, with a bound on how long that may take.
///
/// - The first signal is logged and starts the group's graceful shutdown.
/// - At `deadline − cancellationAllowance` the group cancels whatever has not finished, so services that
///   honour cancellation still get to say what they are leaving behind.
/// - At `deadline` whatever is still running is abandoned: the process logs what `unfinished` reports
///   (work that was read but not committed, which the next run reads again) and exits with status
///   `deadlineExitStatus`. Nothing waits on a dead broker beyond this.
/// - A second signal exits at once with status 128 + the signal number (143 for SIGTERM, 130 for SIGINT),
///   as a shell reports a process the signal killed.
///
/// The group's own signal handling is not used: one listener sees both the first and the second signal,
/// which the group would swallow (it stops listening after the first).
public struct BoundedServiceGroup: Sendable {
    /// Exit status when the deadline passed before every service stopped.
    public static let deadlineExitStatus: Int32 = 1

    private let services: [ServiceGroupConfiguration.ServiceConfiguration]
    private let deadline: Duration
    private let logger: Logger
    private let unfinished: @Sendable () async -> [String]

    /// - Parameters:
    ///   - deadline: from the first signal to the exit, whatever the services are doing.
    ///   - unfinished: called at the deadline; each line names something that could not be committed.
    public init(services: [ServiceGroupConfiguration.ServiceConfiguration], deadline: Duration, logger: Logger,
                unfinished: @escaping @Sendable () async -> [String] = { [] }) {
        self.services = services
        self.deadline = deadline
        self.logger = logger
        self.unfinished = unfinished
    }

    public init(services: [any Service], deadline: Duration, logger: Logger,
                unfinished: @escaping @Sendable () async -> [String] = { [] }) {
        self.init(services: services.map { .init(service: $0) }, deadline: deadline, logger: logger, unfinished: unfinished)
    }

    /// Time left, after the group cancels its services, for them to notice before the hard exit.
    var cancellationAllowance: Duration { min(.seconds(2), deadline / 3) }

    /// Runs the services until they finish, or until a signal and the shutdown it starts.
    public func run() async throws {
        var configuration = ServiceGroupConfiguration(services: services, logger: logger)
        configuration.maximumGracefulShutdownDuration = deadline - cancellationAllowance
        // No maximumCancellationDuration: on expiry it calls fatalError; the deadline below exits cleanly instead.
        let group = ServiceGroup(configuration: configuration)
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        let deadline = deadline, logger = logger, unfinished = unfinished
        // The deadline, its fallback and a second signal can all decide to exit; exit() must run once.
        let exiting = Mutex(false)
        let leave: @Sendable (Int32) -> Never = { status in
            if exiting.withLock({ already in defer { already = true }; return already }) {
                while true { pause() }  // another thread is already running exit()
            }
            exit(status)
        }
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            tasks.addTask {
                var first: UnixSignal?
                for await signal in signals {
                    guard let earlier = first else {
                        first = signal
                        logger.notice("received \(signal): shutting down", metadata: [
                            "deadline_seconds": "\(Self.seconds(deadline))",
                        ])
                        await group.triggerGracefulShutdown()
                        // Unstructured on purpose: cancelling the listener when the group ends early must not
                        // matter, and the process ends with the group anyway.
                        Task {
                            try? await Task.sleep(for: deadline - Self.reportAllowance(deadline))
                            // The report asks the services, which may be stuck themselves: it gets a moment, not a veto.
                            Task {
                                try? await Task.sleep(for: Self.reportAllowance(deadline))
                                Self.reportDeadline(deadline, notCommitted: ["(the services did not say in time)"], logger: logger)
                                leave(Self.deadlineExitStatus)
                            }
                            Self.reportDeadline(deadline, notCommitted: await unfinished(), logger: logger)
                            leave(Self.deadlineExitStatus)
                        }
                        continue
                    }
                    let status = 128 + signal.rawValue
                    logger.warning("received \(signal) after \(earlier): exiting at once", metadata: ["exit_status": "\(status)"])
                    leave(status)
                }
            }
            // The group ended (its services finished, or shutdown completed in time): stop listening.
            try await tasks.next()
            tasks.cancelAll()
        }
    }

    /// How long before the deadline the services are asked what they leave behind.
    private static func reportAllowance(_ deadline: Duration) -> Duration { min(.milliseconds(250), deadline / 10) }

    private static func reportDeadline(_ deadline: Duration, notCommitted lines: [String], logger: Logger) {
        logger.error("shutdown did not finish within \(seconds(deadline)) s; exiting without it", metadata: [
            "exit_status": "\(deadlineExitStatus)",
            "not_committed": .array(lines.map { .string($0) }),
            "consequence": "what was not committed is delivered again on the next run; nothing is lost",
        ])
    }

    private static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let milliseconds = attoseconds / 1_000_000_000_000_000
        return milliseconds == 0 ? "\(seconds)" : "\(seconds).\(String(format: "%03lld", milliseconds))"
    }
}
