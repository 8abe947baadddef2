import Poller
import ServiceLifecycle
import Synchronization

/// `poll --once` as a `Service`, so it stops the way every other command does: a signal asks the streams
/// to stop after their current page (whose watermark is then written), under the same deadline.
final class PollOnceRun: Service, Sendable {
    private let runtime: PollerRuntime
    private let targets: [PollTarget]
    private let reconcile: Bool
    private let progress: PollProgress
    private let balances: BalanceExtraction?
    private let finished = Mutex<[StreamRunReport]>([])
    private let finishedBalances = Mutex<[BalanceRunReport]>([])

    /// `balances`: Intacct's balance reports to read after the streams, if any.
    init(runtime: PollerRuntime, targets: [PollTarget], reconcile: Bool, progress: PollProgress, balances: BalanceExtraction? = nil) {
        self.runtime = runtime
        self.targets = targets
        self.reconcile = reconcile
        self.progress = progress
        self.balances = balances
    }

    /// Every stream's report, once `run` returned.
    var reports: [StreamRunReport] { finished.withLock { $0 } }
    /// Every balance report's outcome, once `run` returned.
    var balanceReports: [BalanceRunReport] { finishedBalances.withLock { $0 } }

    func run() async {
        let shutdown = runtime.context.shutdown, coordinator = runtime.coordinator
        let targets = targets, reconcile = reconcile, progress = progress
        let balances = balances
        let reports = await withGracefulShutdownHandler {
            let reports = await coordinator.run(targets, trigger: "once", reconcile: { _ in reconcile }, progress: progress)
            // Intacct's own balances, after the records they summarise.
            if let balances {
                let outcome = await balances.run(runID: "once-balances")
                self.finishedBalances.withLock { $0 = outcome }
            }
            return reports
        } onGracefulShutdown: {
            shutdown.request()
        }
        progress.finish()
        // Inside the service, so the producer's flush is under the shutdown deadline too.
        await runtime.close()
        finished.withLock { $0 = reports }
    }
}
