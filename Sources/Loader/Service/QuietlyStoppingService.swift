import ServiceLifecycle

/// Runs a service and treats an error it throws after graceful shutdown began as a clean stop.
/// `OperationsServer` ends that way (its HTTP server's `run` throws `CancellationError` or a socket's
/// "disconnected" when stopped), which would otherwise make every SIGTERM look like a failure to the
/// ServiceGroup and the exit status. Errors before shutdown still fail the group.
public struct QuietlyStoppingService: Service {
    private let wrapped: any Service

    public init(_ wrapped: any Service) { self.wrapped = wrapped }

    public func run() async throws {
        do {
            try await wrapped.run()
        } catch where Task.isShuttingDownGracefully {
            return
        }
    }
}
