@testable import Campaign
import Foundation
import Probes
import Testing

func sample(_ probe: String, _ offsetMS: Int, _ outcome: ProbeOutcome, latencyMS: Int = 2, attempts: Int = 1) -> ProbeSample {
    ProbeSample(probe: probe, sequence: offsetMS, startedAt: Date(timeIntervalSince1970: Double(offsetMS) / 1000), offset: .milliseconds(offsetMS),
                latency: .milliseconds(latencyMS), outcome: outcome, reason: outcome.rawValue, attempts: attempts)
}

@Suite struct AnalysisTests {
    static func campaign() throws -> CampaignDefinition {
        try CampaignParser.parse("""
        name: a
        targets: { db: { name: db } }
        probes:
          - { name: api, tcp: { host: 127.0.0.1, port: 1 } }
          - { name: err, tcp: { host: 127.0.0.1, port: 1 } }
        hypothesis:
          checks:
            - { probe: api, recover_within: 500ms }
            - { probe: api, max_error_rate: 0.5 }
            - { probe: api, max_p99: 100ms }
            - { probe: err, passes_within: 300ms }
        timeline:
          - { at: 1s, fault: { pause: { target: db } }, for: 1s }
        """, file: "a.yaml")
    }

    /// api: ok every 100 ms, failing from 1.1 s to 2.2 s; err: ok only at 1.2 s.
    static func samples() -> [String: [ProbeSample]] {
        var api: [ProbeSample] = []
        for ms in stride(from: 0, through: 3000, by: 100) {
            api.append(sample("api", ms, (1100...2200).contains(ms) ? .timeout : .ok, latencyMS: (1100...2200).contains(ms) ? 50 : 2,
                              attempts: ms == 2300 ? 2 : 1))
        }
        var err: [ProbeSample] = []
        for ms in stride(from: 0, through: 3000, by: 100) { err.append(sample("err", ms, ms == 1200 ? .ok : .failed)) }
        return ["api": api, "err": err]
    }

    static func window() -> FaultWindow {
        var window = FaultWindow(index: 1, kind: .pause, summary: "pause", selector: "db", container: "db", injectAt: .milliseconds(1000))
        window.injectedAt = .milliseconds(1010)
        window.revertAt = .milliseconds(2000)
        window.revertedAt = .milliseconds(2010)
        return window
    }

    // Exact figures from a synthetic stream: detection, recovery, phases, outage, retries.
    @Test func computesFigures() throws {
        let figures = WindowAnalysis.figures(probe: "api", samples: Self.samples()["api"]!, window: Self.window(), previousEnd: nil,
                                             nextInject: nil, runEnd: .seconds(3), consecutive: 3)
        #expect(figures.timeToDetect == .milliseconds(150))  // the 1100 ms sample ended at 1150
        #expect(figures.timeToRecover == .milliseconds(300))  // 2300, 2400, 2500 ok → first at 2300
        #expect(figures.before.samples == 10 && figures.before.failures == 0)
        #expect(figures.during.samples == 10 && figures.during.failures == 9)
        #expect(figures.after.failures == 3)  // 2000, 2100, 2200
        #expect(figures.longestOutage == .milliseconds(1200))  // 1100 → first ok at 2300
        #expect(figures.retries == 1)
    }

    // Windows side by side (one per node): each is measured up to the first inject after its own
    // revert, so a twin injected at the same moment does not leave it without an "after" phase.
    @Test func sideBySideWindowsEachRecover() throws {
        var twin = Self.window()
        twin = FaultWindow(index: 2, kind: .pause, summary: "pause", selector: "db", container: "db", node: "n2", injectAt: .milliseconds(1001))
        twin.injectedAt = .milliseconds(1012)
        twin.revertAt = .milliseconds(2001)
        twin.revertedAt = .milliseconds(2011)
        var later = FaultWindow(index: 3, kind: .pause, summary: "pause", selector: "db", container: "db", injectAt: .milliseconds(2800))
        later.injectedAt = .milliseconds(2810)
        later.revertAt = .milliseconds(2900)
        let figures = WindowAnalysis.figures(windows: [Self.window(), twin, later], samples: Self.samples(), probes: ["api"],
                                             runEnd: .seconds(3), consecutive: 3)
        #expect(figures.filter { $0.window < 3 }.map(\.timeToRecover) == [.milliseconds(300), .milliseconds(299)])
        #expect(figures.filter { $0.window < 3 }.map(\.after.samples) == [8, 7])  // 2000 (2100 for the twin) … 2700, ended by #3's inject
        #expect(figures.first { $0.window == 3 }?.before.samples == 7)  // from the twin's revert (2001): 2100 … 2700
    }

    // Each check gets its verdict and the figures that decided it.
    @Test func evaluatesChecks() throws {
        let campaign = try Self.campaign()
        let evaluator = HypothesisEvaluator(campaign: campaign)
        let samples = Self.samples()
        let window = Self.window()
        let figures = WindowAnalysis.figures(windows: [window], samples: samples, probes: ["api", "err"], runEnd: .seconds(3), consecutive: 3)
        let results = evaluator.evaluate(windows: [window], figures: figures, samples: samples)
        #expect(results.map(\.passed) == [true, false, true, true])
        // onset between the last ok check's end (1002) and the first failure's start (1100); recovered
        // within the first of 3 ok checks (2300–2302); downtime the widest and narrowest between.
        #expect(results[0].detail == "after the inject: onset 51ms ± 49ms, detected 150ms, recovered 1.301s ± 1ms; downtime 1.25s ± 50ms; back 300ms after the revert, limit 500ms")
        #expect(results[1].detail.contains("90.0% (9 of 10 samples failed)"))
        #expect(results[3].detail.contains("passed 202ms after the inject"))
        // The propagation probe is left out of the steady state: it fails while all is well.
        #expect(evaluator.steadyStateProbes == ["api"])
        let steady = evaluator.steadyState(["api": Array(samples["api"]!.prefix(5))])
        #expect(steady.passed)
        let verdict = CampaignRunner.verdict(steady: steady, checks: [steady] + results, windows: [window], aborted: nil)
        #expect(verdict.status == .violated)
        #expect(verdict.reason.contains("first: api max_error_rate 0.5 (#1 pause on db)"))
    }

    // A stop condition fires once a probe has failed continuously for its limit.
    @Test func stopConditionFires() {
        let watch = StopWatch(conditions: [StopCondition(probe: "api", failingFor: .milliseconds(250))])
        #expect(watch.observe(sample("api", 0, .error)) == nil)
        #expect(watch.observe(sample("api", 100, .error)) == nil)
        #expect(watch.observe(sample("api", 200, .ok)) == nil)
        #expect(watch.observe(sample("api", 300, .error)) == nil)
        #expect(watch.observe(sample("api", 500, .error)) == nil)
        #expect(watch.observe(sample("api", 600, .timeout))?.contains("failing for 302ms") == true)
        #expect(watch.observe(sample("other", 700, .error)) == nil)
    }

    // Reports render from the record: JUnit has one testcase per check with the figures on failure.
    @Test func rendersReports() throws {
        var record = RunRecord()
        record.name = "a"
        record.windows = [Self.window()]
        record.samples = Self.samples()
        record.verdict = CampaignVerdict(status: .violated, reason: "r", checks: [
            CheckResult(name: "api max_error_rate 0.5", window: "#1 pause on db", passed: false, detail: "error rate 90% <&>"),
            CheckResult(name: "steady state", window: nil, passed: true, detail: "held"),
        ])
        let junit = JUnitReport.render(record)
        #expect(junit.contains(#"tests="2" failures="1""#))
        #expect(junit.contains(#"<failure message="error rate 90% &lt;&amp;&gt;">"#))
        let html = HTMLReport.render(record, figures: [])
        #expect(html.contains("<svg") && html.contains("</svg>") && html.contains("#1 pause on db"))
        let markdown = MarkdownReport.render(record, figures: [])
        #expect(markdown.contains("| api max_error_rate 0.5 | #1 pause on db | **FAIL** |"))
    }

    // A long sample in flight when the fault hits (started before the inject) counts as during the
    // window; one that ended before the inject does not.
    @Test func countsSamplesOverlappingTheWindow() {
        let samples = [sample("run", 0, .ok, latencyMS: 900), sample("run", 500, .failed, latencyMS: 3000), sample("run", 2600, .ok)]
        let figures = WindowAnalysis.figures(probe: "run", samples: samples, window: Self.window(), previousEnd: nil,
                                             nextInject: nil, runEnd: .seconds(3), consecutive: 1)
        #expect(figures.before.samples == 1)
        #expect(figures.during.samples == 1 && figures.during.failures == 1)
        #expect(figures.after.samples == 1)
    }

    // max_error_rate over a window that no sample overlapped fails: nothing seen is not a pass.
    @Test func errorRateWithoutSamplesFails() throws {
        let evaluator = HypothesisEvaluator(campaign: try Self.campaign())
        let window = Self.window()
        let samples = ["api": [sample("api", 0, .ok), sample("api", 2500, .ok)], "err": [sample("err", 0, .ok)]]
        let figures = WindowAnalysis.figures(windows: [window], samples: samples, probes: ["api", "err"], runEnd: .seconds(3), consecutive: 1)
        let results = evaluator.evaluate(windows: [window], figures: figures, samples: samples)
        #expect(results[1].passed == false)
        #expect(results[1].detail.contains("no sample overlapped the window"))
    }

    // passes_within counts a check that started just before the inject and passed after it (it met
    // the fault), and measures to when it passed.
    @Test func propagationCheckInFlightAtTheInjectCounts() throws {
        let evaluator = HypothesisEvaluator(campaign: try Self.campaign())
        let window = Self.window()  // inject at 1000 ms
        let samples = ["api": [sample("api", 0, .ok)], "err": [sample("err", 995, .ok, latencyMS: 250), sample("err", 1300, .failed)]]
        let figures = WindowAnalysis.figures(windows: [window], samples: samples, probes: ["api", "err"], runEnd: .seconds(3), consecutive: 1)
        let results = evaluator.evaluate(windows: [window], figures: figures, samples: samples)
        #expect(results[3].passed, "\(results[3].detail)")
        #expect(results[3].detail.contains("passed 245ms after the inject"))
    }

    // After a one-shot fault (a restart) passes_within looks for a pass within the limit of its
    // instant: the error a restart causes comes after it, not during it.
    @Test func propagationAfterAOneShotFault() throws {
        let evaluator = HypothesisEvaluator(campaign: try Self.campaign())
        var window = FaultWindow(index: 1, kind: .restart, summary: "restart", selector: "db", container: "db", injectAt: .milliseconds(1000))
        window.injectedAt = .milliseconds(1001)
        window.revertAt = .milliseconds(1001)
        let samples = ["api": [sample("api", 0, .ok)], "err": [sample("err", 1100, .failed), sample("err", 1200, .ok)]]
        let figures = WindowAnalysis.figures(windows: [window], samples: samples, probes: ["api", "err"], runEnd: .seconds(3), consecutive: 1)
        let passed = evaluator.evaluate(windows: [window], figures: figures, samples: samples).first { $0.name.hasPrefix("err passes_within") }
        #expect(passed?.passed == true && passed?.detail.contains("passed 202ms after the inject") == true, "\(String(describing: passed))")
        let late = ["api": [sample("api", 0, .ok)], "err": [sample("err", 1100, .failed), sample("err", 1400, .ok)]]
        let missed = evaluator.evaluate(windows: [window], figures: figures, samples: late).first { $0.name.hasPrefix("err passes_within") }
        #expect(missed?.passed == false, "\(String(describing: missed))")
    }

    // A probe that never failed is unaffected: recover_within passes saying so, with no recovery figure.
    @Test func unaffectedProbeReportsNoRecovery() throws {
        let evaluator = HypothesisEvaluator(campaign: try Self.campaign())
        let window = Self.window()
        let samples = ["api": stride(from: 0, through: 3000, by: 100).map { sample("api", $0, .ok) }, "err": [sample("err", 0, .ok)]]
        let figures = WindowAnalysis.figures(windows: [window], samples: samples, probes: ["api", "err"], runEnd: .seconds(3), consecutive: 3)
        let api = try #require(figures.first { $0.probe == "api" })
        #expect(api.unaffected && api.impact == nil)
        let recover = try #require(evaluator.evaluate(windows: [window], figures: figures, samples: samples).first)
        #expect(recover.passed && recover.detail == "unaffected: no check failed from the inject on (10 overlapped the window), limit 500ms")
        #expect(ImpactText.cells(api) == ["unaffected", "—", "—", "—", "—"])
        let json = JSONReport.render(RunRecord(), figures: [api])
        #expect(json.contains(#""unaffected" : true"#) && !json.contains("ttr_ms") && !json.contains("onset_ms"))  // absent, not zero
    }

    // Every report names the impact figures: onset, detected, recovered, downtime, with their uncertainty.
    @Test func reportsShowTheImpact() throws {
        var record = RunRecord()
        record.name = "a"
        record.windows = [Self.window()]
        record.samples = Self.samples()
        let figures = WindowAnalysis.figures(windows: [Self.window()], samples: Self.samples(), probes: ["api"], runEnd: .seconds(3), consecutive: 3)
        let markdown = MarkdownReport.render(record, figures: figures)
        #expect(markdown.contains("| onset | detected | recovered | downtime | back after the revert |"))
        #expect(markdown.contains("| 1 | api | 51ms ± 49ms | 150ms | 1.301s ± 1ms | 1.25s ± 50ms | 300ms |"))
        let json = JSONReport.render(record, figures: figures)
        #expect(json.contains(#""onset_ms" : {"#) && json.contains(#""downtime_ms" : {"#) && json.contains(#""detected_ms" : 150"#))
        let html = HTMLReport.render(record, figures: figures)
        #expect(html.contains("<title>onset 51ms ± 49ms after the inject</title>"))
        #expect(html.contains("recovered 1.301s ± 1ms after the inject · downtime 1.25s ± 50ms"))
    }
}
