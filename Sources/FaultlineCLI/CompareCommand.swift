import ArgumentParser
import Campaign
import FaultlineSupport
import Foundation

/// `faultline compare BASE CANDIDATE`: two runs of one campaign side by side; exit 1 when the
/// candidate got worse beyond noise (see `RunComparison` for what that means).
struct CompareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two runs of a campaign (run directories): downtime, time back after the revert and error rate per window and probe; exit 1 on a regression.")

    @Argument(help: "The base run directory (holding journal.jsonl), e.g. the last release's.") var base: String
    @Argument(help: "The candidate run directory.") var candidate: String
    @Option(name: .long, help: "A duration must grow by more than this (and by more than --threshold-percent of the base) to count.")
    var thresholdMs = 250
    @Option(name: .long, help: "A duration must grow by more than this share of the base, in percent (and by more than --threshold-ms).")
    var thresholdPercent = 25
    @Option(name: .long, help: "An error rate must grow by more than this many percentage points.")
    var thresholdPoints = 5.0
    @Flag(name: .long, help: "One JSON object per row, then one for the verdict.") var json = false

    func validate() throws {
        guard (0...600_000).contains(thresholdMs) else { throw ValidationError("--threshold-ms must be between 0 and 600000, got \(thresholdMs)") }
        guard (0...1000).contains(thresholdPercent) else { throw ValidationError("--threshold-percent must be between 0 and 1000, got \(thresholdPercent)") }
        guard (0...100).contains(thresholdPoints) else { throw ValidationError("--threshold-points must be between 0 and 100, got \(thresholdPoints)") }
    }

    func run() async throws {
        let output = Output(json: json)
        let baseRuns = try Self.load(base), candidateRuns = try Self.load(candidate)
        let (baseRecord, candidateRecord) = (baseRuns[0].record, candidateRuns[0].record)
        let thresholds = RunComparison.Thresholds(absolute: .milliseconds(thresholdMs), relative: Double(thresholdPercent) / 100,
                                                  errorRatePoints: thresholdPoints / 100)
        let comparison: RunComparison
        do {
            comparison = try RunComparison.compare(base: baseRuns, candidate: candidateRuns, thresholds: thresholds)
        } catch {
            Output.error("cannot compare \(base) with \(candidate): \(error)")
            throw ExitCode(FaultlineExitCode.invalidInput.rawValue)
        }
        if baseRecord.name != candidateRecord.name {
            Output.note("the runs are of different campaigns ('\(baseRecord.name)' and '\(candidateRecord.name)'); compared window by window")
        }
        if json {
            for row in comparison.rows {
                output.line(JSONValue.object([
                    "window": .integer(Int64(row.window)), "probe": .string(row.probe), "figure": .string(row.figure),
                    "base": .string(row.base), "candidate": .string(row.candidate), "change": .string(row.change),
                    "regression": row.regression.map(JSONValue.string) ?? .null,
                ]).encoded())
            }
            output.line(JSONValue.object(["verdict": .string(comparison.regressions.isEmpty ? "no regression" : "regression"),
                                          "regressions": .integer(Int64(comparison.regressions.count)),
                                          "unmatched": .array(comparison.unmatched.map(JSONValue.string))]).encoded())
        } else {
            output.line("base:      \(baseRecord.name) \(base) (\(Self.verdicts(baseRuns)))")
            output.line("candidate: \(candidateRecord.name) \(candidate) (\(Self.verdicts(candidateRuns)))")
            TextTable.print([["window", "probe", "figure", "base", "candidate", "change", ""]]
                            + comparison.rows.map { [$0.title, $0.probe, $0.figure, $0.base, $0.candidate, $0.change, $0.regression == nil ? "" : "WORSE"] },
                            to: output)
            comparison.unmatched.forEach { output.line("not compared: \($0)") }
            for row in comparison.regressions {
                output.line("regression: \(row.probe) \(row.figure) (\(row.title)): \(row.base) → \(row.candidate); \(row.regression ?? "")")
            }
            let test = baseRuns.count > 1 || candidateRuns.count > 1 ? "; over trials also a one-sided rank test at p ≤ 0.05" : ""
            output.line(comparison.regressions.isEmpty
                        ? "no regression beyond the thresholds (\(thresholdMs) ms and \(thresholdPercent)% for durations, \(thresholdPoints) points for error rates\(test))"
                        : "\(comparison.regressions.count) regression(s)")
        }
        if !comparison.regressions.isEmpty { throw ExitCode(FaultlineExitCode.failed.rawValue) }
    }

    /// "held", or for trials "3 trials: 2 held, 1 violated".
    static func verdicts(_ runs: [ComparedRun]) -> String {
        let statuses = runs.map { $0.record.verdict?.status.rawValue ?? "no verdict" }
        guard runs.count > 1 else { return statuses[0] }
        let counts = Dictionary(grouping: statuses, by: { $0 }).sorted { $0.key < $1.key }.map { "\($0.value.count) \($0.key)" }
        return "\(runs.count) trials: " + counts.joined(separator: ", ")
    }

    /// The runs of a directory (see `ComparedRun.load`), or exit 2 naming what is wrong with it.
    static func load(_ directory: String) throws -> [ComparedRun] {
        do { return try ComparedRun.load(directory) } catch {
            Output.error(error.description)
            throw ExitCode(FaultlineExitCode.invalidInput.rawValue)
        }
    }
}
