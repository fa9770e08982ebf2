import Campaign
import Metrics
import DockerEngine
import Foundation
import Prometheus

/// The daemon's counters, gauges and the engine-call latency histogram, kept in a swift-prometheus
/// registry and rendered in Prometheus' text exposition format for `GET /metrics`. The daemon
/// also bootstraps swift-metrics with this registry (`bootstrapMetricsSystem()`), so whatever a
/// library reports through swift-metrics appears on the same page. Metric names are stable.
public final class DaemonMetrics: EngineCallObserver, Sendable {
    /// Upper bounds of the engine-call latency buckets, in seconds.
    static let latencyBuckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    public let registry: PrometheusCollectorRegistry
    private let started = Date()
    private let upSeconds: Prometheus.Gauge
    private let runsActive: Prometheus.Gauge
    private let faultsActive: Prometheus.Gauge

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        upSeconds = registry.makeGauge(descriptor: Self.named("faultline_up_seconds", "Seconds since the daemon started."))
        runsActive = registry.makeGauge(descriptor: Self.named("faultline_runs_active", "Runs in progress."))
        faultsActive = registry.makeGauge(descriptor: Self.named("faultline_faults_active", "Faults injected and not yet reverted."))
        for status in RunStatus.allCases where status.isFinished { _ = runs(status) }
    }

    /// Makes swift-metrics report into this registry (once per process: the daemon's).
    public func bootstrapMetricsSystem() {
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    }

    private func runs(_ status: RunStatus) -> Prometheus.Counter {
        registry.makeCounter(descriptor: Self.named("faultline_runs_total", "Runs that ended, by status."), labels: [("status", status.rawValue)])
    }

    public func engineCall(method: String, duration: Duration, succeeded: Bool) {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        registry.makeValueHistogram(descriptor: Self.named("faultline_engine_call_duration_seconds", "Docker Engine API calls, by HTTP method."), labels: [("method", method)], buckets: Self.latencyBuckets).record(seconds)
        if !succeeded {
            registry.makeCounter(descriptor: Self.named("faultline_engine_call_failures_total", "Engine calls that failed, by HTTP method."), labels: [("method", method)]).increment()
        }
    }

    func runStarted() { runsActive.increment() }

    func runFinished(_ status: RunStatus) {
        runsActive.decrement()
        runs(status).increment()
    }

    /// A run that never started (refused at start, interrupted before the daemon came back).
    func runEnded(_ status: RunStatus) { runs(status).increment() }

    func faultInjected(kind: String, node: String? = nil) {
        if let node {
            registry.makeCounter(descriptor: Self.named("faultline_node_faults_injected_total", "Faults of fleet campaigns injected through a node's agent, by node and kind."), labels: [("node", node), ("kind", kind)]).increment()
        }
        registry.makeCounter(descriptor: Self.named("faultline_faults_injected_total", "Faults injected, by kind."), labels: [("kind", kind)]).increment()
        faultsActive.increment()
    }

    func faultReverted(kind: String, succeeded: Bool, node: String? = nil) {
        if let node {
            let metric = succeeded
                ? Self.named("faultline_node_faults_reverted_total", "Faults of fleet campaigns a node's agent reverted, by node and kind.")
                : Self.named("faultline_node_fault_revert_failures_total",
                             "Faults of fleet campaigns a node's agent could not revert (or could not be asked to), by node and kind.")
            registry.makeCounter(descriptor: metric, labels: [("node", node), ("kind", kind)]).increment()
        }
        faultsActive.decrement()
        if succeeded {
            registry.makeCounter(descriptor: Self.named("faultline_faults_reverted_total", "Faults reverted, by kind."), labels: [("kind", kind)]).increment()
        } else {
            registry.makeCounter(descriptor: Self.named("faultline_fault_revert_failures_total", "Reverts that failed (left to recovery), by kind."), labels: [("kind", kind)]).increment()
        }
    }

    func sample(probe: String, ok: Bool) {
        registry.makeCounter(descriptor: Self.named("faultline_probe_samples_total", "Probe checks made, by probe."), labels: [("probe", probe)]).increment()
        if !ok {
            registry.makeCounter(descriptor: Self.named("faultline_probe_failures_total", "Probe checks that did not pass, by probe."), labels: [("probe", probe)]).increment()
        }
    }

    /// A campaign's latest figures per window and probe (downtime and time back after the revert
    /// in seconds: downtime 0 when no check failed, back-after-revert 0 when unaffected, +Inf when not
    /// recovered or not back; error rate during) and whether it held.
    func latest(campaign: String, figures: [WindowFigures], held: Bool) {
        registry.makeGauge(descriptor: Self.named("faultline_campaign_held", "1 when the campaign's latest run held, else 0."), labels: [("campaign", campaign)]).set(held ? 1.0 : 0.0)
        for figure in RecoveryFigure.of(figures) {
            let labels = [("campaign", campaign), ("window", String(figure.window)), ("probe", figure.probe)]
            registry.makeGauge(descriptor: Self.named("faultline_campaign_downtime_seconds", "Downtime (onset to recovered) in the campaign's latest run, by window and probe."), labels: labels).set(figure.downtimeSeconds)
            registry.makeGauge(descriptor: Self.named("faultline_campaign_back_after_revert_seconds", "Time back after the revert in the campaign's latest run, by window and probe."), labels: labels).set(figure.backAfterRevertSeconds)
            registry.makeGauge(descriptor: Self.named("faultline_campaign_error_rate_during", "Error rate during the window in the campaign's latest run, by window and probe."), labels: labels).set(figure.errorRateDuring)
        }
    }

    /// A metric's whole name and help text as the registry takes them (no namespace or unit split).
    static func named(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    /// The exposition text.
    public func render() -> String {
        upSeconds.set(Date().timeIntervalSince(started))
        return registry.emitToString()
    }
}
