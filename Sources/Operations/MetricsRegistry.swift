import Metrics
import Prometheus

/// The process's Prometheus registry behind swift-metrics: code records with `Counter`, `Timer`,
/// `Gauge` from swift-metrics, and `/metrics` renders this registry in the text exposition format.
public enum MetricsRegistry {
    public static let prometheus = PrometheusCollectorRegistry()

    private static let bootstrapOnce: Void = {
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: prometheus))
    }()

    /// Routes swift-metrics to Prometheus. Safe to call more than once.
    public static func bootstrap() { _ = bootstrapOnce }

    /// The current values in Prometheus text format.
    public static func render() -> String {
        var buffer: [UInt8] = []
        prometheus.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
