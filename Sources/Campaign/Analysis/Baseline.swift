import FaultlineSupport
import Foundation

/// `run --baseline DIR`: an earlier run (or directory of trials) of the same campaign that the new
/// run is compared with by `RunComparison`; each regression becomes a failed check of the verdict,
/// so every report — JUnit included — names the figure that got worse.
public struct Baseline: Sendable {
    public let directory: String
    public let runs: [ComparedRun]
    public let thresholds: RunComparison.Thresholds

    public init(directory: String, runs: [ComparedRun], thresholds: RunComparison.Thresholds = RunComparison.Thresholds()) {
        self.directory = directory
        self.runs = runs
        self.thresholds = thresholds
    }

    /// Loads a run directory, or every trial of a `run --trials N` directory.
    public static func load(_ directory: String, thresholds: RunComparison.Thresholds = RunComparison.Thresholds()) throws(RunComparisonError) -> Baseline {
        let path = ComparedRun.trimmed(directory)
        return Baseline(directory: path, runs: try ComparedRun.load(path), thresholds: thresholds)
    }

    /// Refuses, before anything is injected, a plan whose faults are not the baseline's windows:
    /// the comparison would not answer "did this get worse".
    public func check(plan: CampaignPlan) throws(RunComparisonError) {
        guard let record = runs.first?.record else { return }
        for window in record.windows {
            guard let fault = plan.faults.first(where: { $0.index == window.index }) else {
                throw RunComparisonError(message: "baseline \(directory) has window #\(window.index) (\(window.kind.rawValue) on \(window.selector)); this plan has \(plan.faults.count) fault(s)")
            }
            if fault.fault.kind != window.kind || fault.fault.target != window.selector {
                throw RunComparisonError(message: "window #\(window.index) is \(window.kind.rawValue) on \(window.selector) in baseline \(directory) and "
                                         + "\(fault.fault.kind.rawValue) on \(fault.fault.target) in this plan: a baseline must be a run of the same campaign and plan")
            }
        }
    }

    /// The verdict's checks for `candidate` (this run, or these trials): one failed check per
    /// regression, else one passed check saying what was compared.
    public func checks(candidate: [ComparedRun]) -> [CheckResult] {
        let comparison: RunComparison
        do {
            comparison = try RunComparison.compare(base: runs, candidate: candidate, thresholds: thresholds)
        } catch {
            return [CheckResult(name: "baseline", window: nil, passed: false, detail: "cannot compare with \(directory): \(error)")]
        }
        let regressions = comparison.regressions
        guard !regressions.isEmpty else {
            let unmatched = comparison.unmatched.isEmpty ? "" : "; not compared: " + comparison.unmatched.joined(separator: ", ")
            return [CheckResult(name: "baseline", window: nil, passed: true,
                                detail: "no regression against \(directory) in \(comparison.rows.count) figures\(unmatched)")]
        }
        return regressions.map { row in
            CheckResult(name: "baseline \(row.probe) \(row.figure)", window: row.title, passed: false,
                        detail: "\(row.base) → \(row.candidate) (baseline \(directory)); \(row.regression ?? "worse")")
        }
    }
}

extension ComparedRun {
    /// A run directory's record and figures, or every trial's of a `run --trials N` directory
    /// (`trial-1` … `trial-N`).
    public static func load(_ directory: String) throws(RunComparisonError) -> [ComparedRun] {
        let path = trimmed(directory)
        var trials: [String] = []
        while FileManager.default.fileExists(atPath: path + "/trial-\(trials.count + 1)/journal.jsonl") {
            trials.append(path + "/trial-\(trials.count + 1)")
        }
        if trials.isEmpty {
            guard FileManager.default.fileExists(atPath: path + "/journal.jsonl") else {
                throw RunComparisonError(message: "\(directory) is neither a run directory nor one of trials: it has no journal.jsonl and no trial-1/journal.jsonl")
            }
            trials = [path]
        }
        var runs: [ComparedRun] = []
        for trial in trials {
            do {
                let record = try RunRecord.load(directory: trial)
                runs.append(ComparedRun(record: record, figures: ReportWriter.figures(for: record)))
            } catch {
                throw RunComparisonError(message: "cannot read \(trial)/journal.jsonl: \(error)")
            }
        }
        return runs
    }

    /// `runs/x/` → `runs/x` (but `/` stays).
    static func trimmed(_ directory: String) -> String {
        directory.hasSuffix("/") && directory.count > 1 ? String(directory.dropLast()) : directory
    }
}
