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
        upSeconds = registry.makeGauge(name: "faultline_up_seconds", help: "Seconds since the daemon started.")
        runsActive = registry.makeGauge(name: "faultline_runs_active", help: "Runs in progress.")
        faultsActive = registry.makeGauge(name: "faultline_faults_active", help: "Faults injected and not yet reverted.")
        for status in RunStatus.allCases where status.isFinished { _ = runs(status) }
    }

    /// Makes swift-metrics report into this registry (once per process: the daemon's).
    public func bootstrapMetricsSystem() {
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    }

    private func runs(_ status: RunStatus) -> Prometheus.Counter {
        registry.makeCounter(name: "faultline_runs_total", labels: [("status", status.rawValue)], help: "Runs that ended, by status.")
    }

    public func engineCall(method: String, duration: Duration, succeeded: Bool) {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        registry.makeValueHistogram(name: "faultline_engine_call_duration_seconds", labels: [("method", method)], buckets: Self.latencyBuckets,
                                    help: "Docker Engine API calls, by HTTP method.").record(seconds)
        if !succeeded {
            registry.makeCounter(name: "faultline_engine_call_failures_total", labels: [("method", method)],
                                 help: "Engine calls that failed, by HTTP method.").increment()
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
            registry.makeCounter(name: "faultline_node_faults_injected_total", labels: [("node", node), ("kind", kind)],
                                 help: "Faults of fleet campaigns injected through a node's agent, by node and kind.").increment()
        }
        registry.makeCounter(name: "faultline_faults_injected_total", labels: [("kind", kind)], help: "Faults injected, by kind.").increment()
        faultsActive.increment()
    }

    func faultReverted(kind: String, succeeded: Bool, node: String? = nil) {
        if let node {
            registry.makeCounter(name: succeeded ? "faultline_node_faults_reverted_total" : "faultline_node_fault_revert_failures_total",
                                 labels: [("node", node), ("kind", kind)],
                                 help: succeeded ? "Faults of fleet campaigns a node's agent reverted, by node and kind."
                                                 : "Faults of fleet campaigns a node's agent could not revert (or could not be asked to), by node and kind.").increment()
        }
        faultsActive.decrement()
        if succeeded {
            registry.makeCounter(name: "faultline_faults_reverted_total", labels: [("kind", kind)], help: "Faults reverted, by kind.").increment()
        } else {
            registry.makeCounter(name: "faultline_fault_revert_failures_total", labels: [("kind", kind)],
                                 help: "Reverts that failed (left to recovery), by kind.").increment()
        }
    }

    func sample(probe: String, ok: Bool) {
        registry.makeCounter(name: "faultline_probe_samples_total", labels: [("probe", probe)], help: "Probe checks made, by probe.").increment()
        if !ok {
            registry.makeCounter(name: "faultline_probe_failures_total", labels: [("probe", probe)],
                                 help: "Probe checks that did not pass, by probe.").increment()
        }
    }

    /// A campaign's latest figures per window and probe (downtime and time back after the revert
    /// in seconds: downtime 0 when no check failed, back-after-revert 0 when unaffected, +Inf when not
    /// recovered or not back; error rate during) and whether it held.
    func latest(campaign: String, figures: [WindowFigures], held: Bool) {
        registry.makeGauge(name: "faultline_campaign_held", labels: [("campaign", campaign)],
                           help: "1 when the campaign's latest run held, else 0.").set(held ? 1.0 : 0.0)
        for figure in RecoveryFigure.of(figures) {
            let labels = [("campaign", campaign), ("window", String(figure.window)), ("probe", figure.probe)]
            registry.makeGauge(name: "faultline_campaign_downtime_seconds", labels: labels,
                               help: "Downtime (onset to recovered) in the campaign's latest run, by window and probe.").set(figure.downtimeSeconds)
            registry.makeGauge(name: "faultline_campaign_back_after_revert_seconds", labels: labels,
                               help: "Time back after the revert in the campaign's latest run, by window and probe.").set(figure.backAfterRevertSeconds)
            registry.makeGauge(name: "faultline_campaign_error_rate_during", labels: labels,
                               help: "Error rate during the window in the campaign's latest run, by window and probe.").set(figure.errorRateDuring)
        }
    }

    /// The exposition text.
    public func render() -> String {
        upSeconds.set(Date().timeIntervalSince(started))
        return registry.emitToString()
    }
}
