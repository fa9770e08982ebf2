@testable import Campaign
import Faults
import Foundation
import Probes
import TestSupport
import Testing

/// `faultline compare`: exit 0 without a regression, 1 with one (naming the figure), 2 for what is not a pair of runs.
@Suite struct CompareCommandTests {
    /// A run directory whose journal holds a 1 s pause and a probe failing from 1.1 s through `failingUntil` (ms).
    static func runDirectory(failingUntil: Int, kind: FaultKind = .pause) async throws -> String {
        let directory = NSTemporaryDirectory() + "fl-compare-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let journal = try Journal(path: directory + "/journal.jsonl")
        journal.append(.campaign(name: "compare-me", file: "c.yaml", source: "name: compare-me\n", startedAt: Date()))
        journal.append(.settings(consecutiveOK: 3))
        var window = FaultWindow(index: 1, kind: kind, summary: kind.rawValue, selector: "db", container: "db", injectAt: .milliseconds(1000))
        window.injectedAt = .milliseconds(1010)
        window.revertAt = .milliseconds(2000)
        journal.append(.window(window))
        for ms in stride(from: 0, through: 5000, by: 100) {
            let failing = (1100...max(1100, failingUntil)).contains(ms) && failingUntil >= 1100
            journal.append(.sample(ProbeSample(probe: "api", sequence: ms, startedAt: Date(), offset: .milliseconds(ms),
                                               latency: .milliseconds(failing ? 50 : 2), outcome: failing ? .timeout : .ok, reason: "", attempts: 1)))
        }
        await journal.flush()
        return directory
    }

    @Test func exitCodesSayWhetherTheCandidateGotWorse() async throws {
        let base = try await Self.runDirectory(failingUntil: 2200)
        let same = try await Self.runDirectory(failingUntil: 2200)
        let worse = try await Self.runDirectory(failingUntil: 3700)
        let restart = try await Self.runDirectory(failingUntil: 2200, kind: .restart)
        defer { for directory in [base, same, worse, restart] { try? FileManager.default.removeItem(atPath: directory) } }

        let held = try await FaultlineProcess.run(["compare", base, same])
        #expect(held.status == 0 && held.stdout.contains("no regression beyond the thresholds"), "\(held.stdout)\(held.stderr)")
        let regressed = try await FaultlineProcess.run(["compare", base, worse])
        #expect(regressed.status == 1, "\(regressed.stdout)\(regressed.stderr)")
        #expect(regressed.stdout.contains("regression: api downtime (#1 pause): 1.25s ± 50ms → 2.75s ± 50ms; grew by 1.5s"), "\(regressed.stdout)")
        let json = try await FaultlineProcess.run(["compare", base, worse, "--json"])
        #expect(json.status == 1 && json.stdout.contains(#"{"regressions":2,"unmatched":[],"verdict":"regression"}"#), "\(json.stdout)")
        let loose = try await FaultlineProcess.run(["compare", base, worse, "--threshold-ms", "5000"])
        #expect(loose.status == 0, "\(loose.stdout)")

        let notARun = try await FaultlineProcess.run(["compare", base, NSTemporaryDirectory()])
        #expect(notARun.status == 2 && notARun.stderr.contains("is neither a run directory nor one of trials: it has no journal.jsonl and no trial-1/journal.jsonl"), "\(notARun.stderr)")
        let otherPlan = try await FaultlineProcess.run(["compare", base, restart])
        #expect(otherPlan.status == 2 && otherPlan.stderr.contains("window #1 is pause on db in the base run and restart on db in the candidate"), "\(otherPlan.stderr)")
        let badThreshold = try await FaultlineProcess.run(["compare", base, same, "--threshold-percent", "2000"])
        #expect(badThreshold.status == 2 && badThreshold.stderr.contains("--threshold-percent must be between 0 and 1000"), "\(badThreshold.stderr)")
    }
}
