import FaultlineSupport
import Foundation
import Probes

/// Prints probe samples as they arrive: a line per sample, or one line per second per probe
/// when samples come faster than once a second; `--json` prints one object per sample.
struct ProbePrinter {
    let output: Output
    let aggregate: Bool
    private var window: [String: (count: Int, failures: Int, worst: Duration, last: ProbeSample)] = [:]
    private var windowStart: Duration?

    init(output: Output, fastestInterval: Duration) {
        self.output = output
        self.aggregate = fastestInterval < .seconds(1) && !output.json
    }

    mutating func print(_ sample: ProbeSample) {
        if output.json {
            output.line(Self.json(sample).encoded())
            return
        }
        guard aggregate else {
            output.event(sample.outcome.rawValue, "\(sample.probe)  \(Self.millis(sample.latency))  \(sample.reason)", at: sample.startedAt)
            return
        }
        if windowStart == nil { windowStart = sample.offset }
        var entry = window[sample.probe] ?? (0, 0, .zero, sample)
        entry.count += 1
        if !sample.outcome.isOK { entry.failures += 1 }
        entry.worst = max(entry.worst, sample.latency)
        entry.last = sample
        window[sample.probe] = entry
        if let start = windowStart, sample.offset - start >= .seconds(1) { flush() }
    }

    mutating func flush() {
        for (probe, entry) in window.sorted(by: { $0.key < $1.key }) {
            let verdict = entry.failures == 0 ? "ok" : (entry.failures == entry.count ? entry.last.outcome.rawValue : "mixed")
            output.event(verdict, "\(probe)  \(entry.count) samples, \(entry.failures) failed, max \(Self.millis(entry.worst))  last: \(entry.last.reason)",
                         at: entry.last.startedAt)
        }
        window = [:]
        windowStart = nil
    }

    static func millis(_ duration: Duration) -> String { String(format: "%.1f ms", duration.milliseconds) }

    static func json(_ sample: ProbeSample) -> JSONValue {
        .object([
            "probe": .string(sample.probe), "seq": .integer(Int64(sample.sequence)),
            "at": .string(Timestamp.iso8601(sample.startedAt)), "offset_ms": .number(sample.offset.milliseconds),
            "latency_ms": .number(sample.latency.milliseconds), "outcome": .string(sample.outcome.rawValue),
            "reason": .string(sample.reason), "attempts": .integer(Int64(sample.attempts)),
        ])
    }

    /// The end-of-run summary of one probe.
    static func summary(_ name: String, _ stats: ProbeStatistics) -> (text: String, json: JSONValue) {
        let outcomes = ProbeOutcome.allCases.map { "\($0.rawValue) \(stats.byOutcome[$0] ?? 0)" }.joined(separator: ", ")
        let text = String(format: "%@: %d samples (%@), error rate %.1f%%, p50 %@, p99 %@, max %@, longest failure streak %d samples / %@",
                          name, stats.count, outcomes, stats.errorRate * 100, millis(stats.latency(percentile: 50)),
                          millis(stats.latency(percentile: 99)), millis(stats.maxLatency), stats.longestFailureStreak,
                          DurationText.format(stats.longestFailureDuration))
        var counts: [String: JSONValue] = [:]
        for outcome in ProbeOutcome.allCases { counts[outcome.rawValue] = .integer(Int64(stats.byOutcome[outcome] ?? 0)) }
        let json: JSONValue = .object([
            "summary": .string(name), "samples": .integer(Int64(stats.count)), "outcomes": .object(counts),
            "error_rate": .number(stats.errorRate), "p50_ms": .number(stats.latency(percentile: 50).milliseconds),
            "p99_ms": .number(stats.latency(percentile: 99).milliseconds), "max_ms": .number(stats.maxLatency.milliseconds),
            "longest_failure_streak": .integer(Int64(stats.longestFailureStreak)),
            "longest_failure_ms": .number(stats.longestFailureDuration.milliseconds),
        ])
        return (text, json)
    }
}
