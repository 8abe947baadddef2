import Foundation
import Logging
import Operations
import Timestamps

/// What every stream run shares: one Intacct client (so the company's throttle covers everything), one
/// producer, the watermarks and the audit log.
public struct PollerContext: Sendable {
    public var company: String
    public var client: IntacctClient
    public var publisher: RecordPublisher
    public var watermarks: WatermarkStore
    public var audit: AuditLog
    public var snapshots: TopicSnapshotReader
    public var overlap: Duration
    public var pageSize: Int
    /// Pages of one stream handed to Kafka and not yet acknowledged (with their watermark) at once.
    public var pagesInFlight: Int
    /// Pages read and not yet acknowledged across every stream: the poller's memory bound.
    public var pageBudget: PageBudget
    /// Page size for key-only reads (reconciliation): `query` allows up to 2000.
    public var keyPageSize: Int
    /// Retries of a failed AUDITHISTORY page (Intacct's are flaky: DL02000001) before the pass stops.
    public var auditRetry: Backoff
    public var shutdown: ShutdownFlag
    public var logger: Logger
    /// Where runs read the time and wait out retry delays.
    public var clock: any ServiceClock
    /// Runs `lookup` before a stream reads, so custom fields are selected; nil selects the catalog's fields.
    public var discovery: SchemaDiscovery?

    public init(company: String, client: IntacctClient, publisher: RecordPublisher, watermarks: WatermarkStore, audit: AuditLog,
                snapshots: TopicSnapshotReader, overlap: Duration, pageSize: Int, pagesInFlight: Int = 3, pageBudget: PageBudget? = nil,
                keyPageSize: Int = 2000,
                auditRetry: Backoff = Backoff(initial: .milliseconds(200), maximum: .seconds(5), maxRetries: 5),
                shutdown: ShutdownFlag, logger: Logger, discovery: SchemaDiscovery? = nil, clock: any ServiceClock = .system) {
        self.company = company
        self.client = client
        self.publisher = publisher
        self.watermarks = watermarks
        self.audit = audit
        self.snapshots = snapshots
        self.overlap = overlap
        self.pageSize = pageSize
        self.pagesInFlight = max(1, pagesInFlight)
        // Enough for both request slots to be answering while the pages before them wait for Kafka.
        self.pageBudget = pageBudget ?? PageBudget(capacity: 2 * client.configuration.maxConcurrentRequests + 2)
        self.keyPageSize = keyPageSize
        self.auditRetry = auditRetry
        self.shutdown = shutdown
        self.logger = logger
        self.discovery = discovery
        self.clock = clock
    }

    /// Now, as the audit topic and the envelopes write it.
    var timestamp: String { IntacctTimestamp.iso8601(clock.date) }

    /// `time - overlap` in Intacct's format.
    func rewound(_ time: String) -> String {
        guard let date = IntacctTimestamp.parse(time) else { return time }
        return IntacctTimestamp.format(date.addingTimeInterval(-Double(overlap.components.seconds)))
    }
}
