import FaultlineSupport
import Foundation

/// The reports of `run --trials N`: `trials.md` (and the terminal's table) and `trials.json`.
public enum TrialReport {
    /// Rows for a text table: per check its tally; per window, probe and figure its distribution.
    public static func checkRows(_ summary: TrialSummary) -> [[String]] {
        [["check", "window", "held in", "result"]]
            + summary.checks.map { [$0.name, $0.window ?? "—", "\($0.held) of \($0.trials)", $0.status == "held" ? "held" : $0.status.uppercased()] }
    }

    public static func figureRows(_ summary: TrialSummary) -> [[String]] {
        [["window", "probe", "figure", "trials", "median", "p90", "min … max", "interval for the median"]]
            // A probe the fault never reached keeps one row (its downtime: unaffected in every trial).
            + summary.figures.filter { !$0.values.isEmpty || ($0.figure == "downtime" && $0.unaffected > 0) }.map { spread in
                let sorted = spread.sorted
                let interval = spread.medianInterval.map {
                    "\(ImpactText.rounded($0.lower).formatted) … \(ImpactText.rounded($0.upper).formatted) (\(String(format: "%.0f", $0.confidence * 100)) %)"
                } ?? "—"
                let unaffected = spread.unaffected > 0 ? " (\(spread.unaffected) unaffected)" : ""
                return ["#\(spread.window)", spread.probe, spread.figure, "\(spread.values.count) of \(spread.trials)\(unaffected)",
                        text(spread.median), text(spread.p90), "\(text(sorted.first)) … \(text(sorted.last))", interval]
            }
    }

    static func text(_ duration: Duration?) -> String { duration.map { ImpactText.rounded($0).formatted } ?? "—" }

    public static func markdown(_ summary: TrialSummary, name: String, plan: TrialPlan) -> String {
        func table(_ rows: [[String]]) -> [String] {
            guard let header = rows.first else { return [] }
            return ["| " + header.joined(separator: " | ") + " |", "|" + String(repeating: "---|", count: header.count)]
                + rows.dropFirst().map { "| " + $0.map(\.markdownCell).joined(separator: " | ") + " |" }
        }
        let flaky = summary.checks.filter { $0.status == "flaky" }.count, failed = summary.checks.filter { $0.status == "failed" }.count
        var lines = ["## \(summary.held ? "✅" : "❌") faultline: \(name.markdownCell) — \(summary.trials) trials, \(summary.held ? "held in every trial" : "\(failed) check(s) failed, \(flaky) flaky")", "",
                     "Trials after the first \(plan == .replay ? "replayed its plan (same faults, instants and containers)" : "planned afresh with seed + i − 1").", ""]
        lines += table(checkRows(summary))
        if !summary.setChecks.isEmpty {
            lines += ["", "Judged over all trials together:", ""]
            lines += summary.setChecks.map { "- \($0.passed ? "pass" : "**FAIL**") \($0.name.markdownCell)\($0.window.map { " (\($0))" } ?? ""): \($0.detail.markdownCell)" }
        }
        lines += ["", "### Figures over the trials", "", "Instants after the inject; the interval for the median is from two order statistics, with the confidence the number of trials allows.", ""]
        lines += table(figureRows(summary))
        return lines.joined(separator: "\n") + "\n"
    }

    struct Document: Encodable {
        struct Check: Encodable { let name: String; let window: String?; let held: Int; let trials: Int; let status: String }
        struct Figure: Encodable {
            let window: Int; let probe: String; let figure: String; let valuesMS: [Double]; let unaffected: Int
            let medianMS: Double?; let p90MS: Double?; let minMS: Double?; let maxMS: Double?
            let medianIntervalMS: [Double]?; let medianIntervalConfidence: Double?
        }
        struct SetCheck: Encodable { let name: String; let window: String?; let passed: Bool; let detail: String }
        let name: String; let trials: Int; let trialPlan: String; let verdict: String; let runs: [String]
        let checks: [Check]; let figures: [Figure]; let setChecks: [SetCheck]
    }

    public static func json(_ summary: TrialSummary, name: String, plan: TrialPlan, runs: [String]) -> String {
        let document = Document(
            name: name, trials: summary.trials, trialPlan: plan.rawValue, verdict: summary.held ? "held" : "violated", runs: runs,
            checks: summary.checks.map { .init(name: $0.name, window: $0.window, held: $0.held, trials: $0.trials, status: $0.status) },
            figures: summary.figures.map { spread in
                let interval = spread.medianInterval
                return .init(window: spread.window, probe: spread.probe, figure: spread.figure, valuesMS: spread.values.map(\.milliseconds),
                             unaffected: spread.unaffected, medianMS: spread.median?.milliseconds, p90MS: spread.p90?.milliseconds,
                             minMS: spread.sorted.first?.milliseconds, maxMS: spread.sorted.last?.milliseconds,
                             medianIntervalMS: interval.map { [$0.lower.milliseconds, $0.upper.milliseconds] }, medianIntervalConfidence: interval?.confidence)
            },
            setChecks: summary.setChecks.map { .init(name: $0.name, window: $0.window, passed: $0.passed, detail: $0.detail) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: (try? encoder.encode(document)) ?? Data("{}".utf8), as: UTF8.self) + "\n"
    }
}
