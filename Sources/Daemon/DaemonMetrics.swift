import DockerEngine
import Foundation
import Synchronization

/// The daemon's counters, gauges and the engine-call latency histogram, rendered in Prometheus'
/// text exposition format for `GET /metrics`.
public final class DaemonMetrics: EngineCallObserver, Sendable {
    /// Upper bounds of the engine-call latency buckets, in seconds.
    static let latencyBuckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    private struct Histogram {
        var counts = [Int](repeating: 0, count: DaemonMetrics.latencyBuckets.count)
        var count = 0
        var sum = 0.0
    }

    private struct State {
        var runsFinished: [String: Int] = [:]
        var runsActive = 0
        var faultsActive = 0
        var injected: [String: Int] = [:]
        var reverted: [String: Int] = [:]
        var revertFailures: [String: Int] = [:]
        var samples: [String: Int] = [:]
        var sampleFailures: [String: Int] = [:]
        var engineCalls: [String: Histogram] = [:]
        var engineFailures: [String: Int] = [:]
    }
    private let state = Mutex(State())
    private let started = Date()

    public init() {}

    public func engineCall(method: String, duration: Duration, succeeded: Bool) {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        state.withLock { state in
            var histogram = state.engineCalls[method] ?? Histogram()
            if let bucket = Self.latencyBuckets.firstIndex(where: { seconds <= $0 }) { histogram.counts[bucket] += 1 }
            histogram.count += 1
            histogram.sum += seconds
            state.engineCalls[method] = histogram
            if !succeeded { state.engineFailures[method, default: 0] += 1 }
        }
    }

    func runStarted() { state.withLock { $0.runsActive += 1 } }

    func runFinished(_ status: RunStatus) {
        state.withLock { state in
            state.runsActive -= 1
            state.runsFinished[status.rawValue, default: 0] += 1
        }
    }

    /// A run that never started (refused at start, interrupted before the daemon came back).
    func runEnded(_ status: RunStatus) { state.withLock { $0.runsFinished[status.rawValue, default: 0] += 1 } }

    func faultInjected(kind: String) {
        state.withLock { state in
            state.injected[kind, default: 0] += 1
            state.faultsActive += 1
        }
    }

    func faultReverted(kind: String, succeeded: Bool) {
        state.withLock { state in
            state.faultsActive -= 1
            if succeeded { state.reverted[kind, default: 0] += 1 } else { state.revertFailures[kind, default: 0] += 1 }
        }
    }

    func sample(probe: String, ok: Bool) {
        state.withLock { state in
            state.samples[probe, default: 0] += 1
            if !ok { state.sampleFailures[probe, default: 0] += 1 }
        }
    }

    /// The exposition text.
    public func render() -> String {
        let snapshot = state.withLock { $0 }
        var out = ""
        func family(_ name: String, _ type: String, _ help: String) { out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n" }
        func series(_ name: String, _ label: String, _ values: [String: Int]) {
            for (key, value) in values.sorted(by: { $0.key < $1.key }) { out += "\(name){\(label)=\"\(Self.escape(key))\"} \(value)\n" }
        }
        family("faultline_up_seconds", "gauge", "Seconds since the daemon started.")
        out += "faultline_up_seconds \(String(format: "%.3f", Date().timeIntervalSince(started)))\n"
        family("faultline_runs_total", "counter", "Runs that ended, by status.")
        var finished = snapshot.runsFinished
        for status in RunStatus.allCases where status.isFinished { finished[status.rawValue, default: 0] += 0 }
        series("faultline_runs_total", "status", finished)
        family("faultline_runs_active", "gauge", "Runs in progress.")
        out += "faultline_runs_active \(snapshot.runsActive)\n"
        family("faultline_faults_active", "gauge", "Faults injected and not yet reverted.")
        out += "faultline_faults_active \(snapshot.faultsActive)\n"
        family("faultline_faults_injected_total", "counter", "Faults injected, by kind.")
        series("faultline_faults_injected_total", "kind", snapshot.injected)
        family("faultline_faults_reverted_total", "counter", "Faults reverted, by kind.")
        series("faultline_faults_reverted_total", "kind", snapshot.reverted)
        family("faultline_fault_revert_failures_total", "counter", "Reverts that failed (left to recovery), by kind.")
        series("faultline_fault_revert_failures_total", "kind", snapshot.revertFailures)
        family("faultline_probe_samples_total", "counter", "Probe checks made, by probe.")
        series("faultline_probe_samples_total", "probe", snapshot.samples)
        family("faultline_probe_failures_total", "counter", "Probe checks that did not pass, by probe.")
        series("faultline_probe_failures_total", "probe", snapshot.sampleFailures)
        family("faultline_engine_call_duration_seconds", "histogram", "Docker Engine API calls, by HTTP method.")
        for (method, histogram) in snapshot.engineCalls.sorted(by: { $0.key < $1.key }) {
            var cumulative = 0
            for (index, bound) in Self.latencyBuckets.enumerated() {
                cumulative += histogram.counts[index]
                out += "faultline_engine_call_duration_seconds_bucket{method=\"\(method)\",le=\"\(bound)\"} \(cumulative)\n"
            }
            out += "faultline_engine_call_duration_seconds_bucket{method=\"\(method)\",le=\"+Inf\"} \(histogram.count)\n"
            out += "faultline_engine_call_duration_seconds_sum{method=\"\(method)\"} \(String(format: "%.6f", histogram.sum))\n"
            out += "faultline_engine_call_duration_seconds_count{method=\"\(method)\"} \(histogram.count)\n"
        }
        family("faultline_engine_call_failures_total", "counter", "Engine calls that failed, by HTTP method.")
        series("faultline_engine_call_failures_total", "method", snapshot.engineFailures)
        return out
    }

    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }
}
