import Foundation
@testable import Probes
import Testing

/// Builds samples on a synthetic timeline.
func sample(_ offsetMS: Int, _ outcome: ProbeOutcome, latencyMS: Int = 1, probe: String = "p") -> ProbeSample {
    ProbeSample(probe: probe, sequence: offsetMS, startedAt: Date(timeIntervalSince1970: Double(offsetMS) / 1000),
                offset: .milliseconds(offsetMS), latency: .milliseconds(latencyMS), outcome: outcome, reason: "", attempts: 1)
}

@Suite struct ProbeStatisticsTests {
    // Counts, error rate, percentiles and the longest failure streak come out of the samples.
    @Test func summarises() {
        var stats = ProbeStatistics()
        let outcomes: [ProbeOutcome] = [.ok, .ok, .timeout, .timeout, .error, .ok, .failed, .ok]
        for (index, outcome) in outcomes.enumerated() { stats.record(sample(index * 100, outcome, latencyMS: index + 1)) }
        stats.finish()
        #expect(stats.count == 8)
        #expect(stats.failures == 4)
        #expect(stats.errorRate == 0.5)
        #expect(stats.byOutcome[.timeout] == 2)
        #expect(stats.longestFailureStreak == 3)
        #expect(stats.longestFailureDuration == .milliseconds(300))  // failure at 200 ms → ok at 500 ms
        #expect(abs(stats.latency(percentile: 50).milliseconds - 4) < 0.01)
        #expect(abs(stats.maxLatency.milliseconds - 8) < 0.01)
    }

    // A failure streak still open at the end lasts until its last failure ended.
    @Test func closesOpenStreak() {
        var stats = ProbeStatistics()
        stats.record(sample(0, .ok))
        stats.record(sample(100, .error, latencyMS: 5))
        stats.record(sample(200, .error, latencyMS: 5))
        stats.finish()
        #expect(stats.longestFailureDuration == .milliseconds(105))
    }
}

@Suite struct RecoveryAnalysisTests {
    // Detection is when the first failing check ended; recovery is the first of K ok in a row after the revert.
    @Test func measuresDetectionAndRecovery() {
        let samples = [sample(0, .ok), sample(100, .ok), sample(200, .ok),
                       sample(300, .timeout, latencyMS: 500), sample(800, .timeout, latencyMS: 500),
                       sample(1300, .error), sample(1400, .ok), sample(1500, .error), sample(1600, .ok), sample(1700, .ok), sample(1800, .ok)]
        let analysis = RecoveryAnalysis.analyse(samples, injectAt: .milliseconds(250), revertAt: .milliseconds(1350), consecutive: 3)
        #expect(analysis.healthyBefore)
        #expect(analysis.timeToDetect == .milliseconds(550))  // 300 + 500 − 250
        #expect(analysis.timeToRecover == .milliseconds(250))  // 1600 − 1350
        #expect(analysis.samplesDuring == 3 && analysis.failuresDuring == 3)
        #expect(analysis.failuresAfter == 1)
    }

    // A probe that never recovers has no recovery time; one that never failed has no detection.
    @Test func reportsAbsence() {
        let down = RecoveryAnalysis.analyse([sample(0, .ok), sample(100, .error), sample(200, .error)],
                                            injectAt: .milliseconds(50), revertAt: .milliseconds(150))
        #expect(down.timeToRecover == nil)
        #expect(!down.healthyBefore)  // fewer than K ok samples before
        let fine = RecoveryAnalysis.analyse((0..<10).map { sample($0 * 100, .ok) }, injectAt: .milliseconds(350), revertAt: .milliseconds(550))
        #expect(fine.timeToDetect == nil)
        #expect(fine.timeToRecover == .milliseconds(50))
        #expect(fine.unaffected && fine.impact == nil && !down.unaffected)
    }

    // A check already in flight when the fault hits, failing after it, is the detection (not the next one).
    @Test func detectsWithACheckInFlightAtTheInject() {
        let samples = [sample(0, .ok), sample(100, .ok), sample(200, .ok),
                       sample(240, .timeout, latencyMS: 500), sample(740, .timeout, latencyMS: 500), sample(1400, .ok)]
        let analysis = RecoveryAnalysis.analyse(samples, injectAt: .milliseconds(250), revertAt: .milliseconds(1350), consecutive: 1)
        #expect(analysis.timeToDetect == .milliseconds(490))  // 240 + 500 − 250
        #expect(analysis.samplesDuring == 2 && analysis.failuresDuring == 2)
    }
}

