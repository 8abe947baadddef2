import Foundation
import Metrics

/// The poller's metrics (swift-metrics; rendered by `/metrics`). Labels are small, fixed sets:
/// entity and object, never a record key.
public enum PollerMetrics {
    public static func recordsPublished(entity: String, object: String, count: Int) {
        Counter(label: "poller_records_published_total", dimensions: [("entity", entity), ("object", object)]).increment(by: count)
    }

    public static func tombstonesPublished(entity: String, object: String, reason: String, count: Int) {
        Counter(label: "poller_tombstones_published_total", dimensions: [("entity", entity), ("object", object), ("reason", reason)])
            .increment(by: count)
    }

    public static func page(entity: String, object: String) {
        Counter(label: "poller_pages_total", dimensions: [("entity", entity), ("object", object)]).increment()
    }

    public static func intacctLatency(function: String, object: String, since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        Timer(label: "poller_intacct_request_duration_seconds", dimensions: [("function", function), ("object", object)])
            .recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
    }

    /// Retries the poller itself makes (a flaky AUDITHISTORY page); the gateway counts its own under the
    /// same name.
    public static func retry(reason: String) {
        Counter(label: "intacct_retries_total", dimensions: [("reason", reason)]).increment()
    }

    /// How far behind the newest record the stream's watermark is, in seconds.
    public static func watermarkLag(entity: String, object: String, watermark: Date, now: Date = Date()) {
        Gauge(label: "poller_watermark_lag_seconds", dimensions: [("entity", entity), ("object", object)])
            .record(max(0, now.timeIntervalSince(watermark)))
    }

    public static func runFailed(entity: String, object: String) {
        Counter(label: "poller_stream_failures_total", dimensions: [("entity", entity), ("object", object)]).increment()
    }
}
