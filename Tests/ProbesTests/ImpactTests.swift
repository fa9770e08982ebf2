@testable import Probes
import Testing

@Suite struct ImpactTests {
    /// ok every 100 ms (1 ms checks) except failing checks at the given starts (50 ms time-outs).
    static func stream(failingAt failing: Set<Int>, through end: Int = 3000) -> [ProbeSample] {
        stride(from: 0, through: end, by: 100).map { ms in
            failing.contains(ms) ? sample(ms, .timeout, latencyMS: 50) : sample(ms, .ok)
        }
    }

    // Onset lies between the last ok check's end and the first failure's start; detection is that
    // failure's end; recovery is the first of K ok checks (its start and end); downtime spans both.
    @Test func bracketsOnsetAndRecovery() throws {
        let samples = Self.stream(failingAt: [1100, 1200, 1300, 1400])
        let impact = try #require(Impact.of(samples, injectAt: .milliseconds(1050), revertAt: .milliseconds(1500), consecutive: 3))
        #expect(impact.onset == Impact.Bracket(earliest: .milliseconds(0), latest: .milliseconds(50)))  // 1001 → clamped to the inject (1050), 1100
        #expect(impact.onset.estimate == .milliseconds(25) && impact.onset.uncertainty == .milliseconds(25))
        #expect(impact.detected == .milliseconds(100))  // 1150 − 1050
        #expect(impact.recovered == Impact.Bracket(earliest: .milliseconds(450), latest: .milliseconds(451)))  // 1500…1501
        #expect(impact.downtime == Impact.Bracket(earliest: .milliseconds(400), latest: .milliseconds(451)))
    }

    // No failing check from the inject on: no impact (the caller says "unaffected").
    @Test func unaffectedProbeHasNoImpact() {
        #expect(Impact.of(Self.stream(failingAt: [500]), injectAt: .milliseconds(1000), revertAt: .milliseconds(1500), consecutive: 3) == nil)
    }

    // A check in flight at the inject that fails met the fault before it ended: the onset is bounded by its end.
    @Test func checkInFlightAtTheInject() throws {
        let samples = [sample(0, .ok), sample(100, .ok), sample(200, .timeout, latencyMS: 500), sample(700, .ok), sample(800, .ok)]
        let impact = try #require(Impact.of(samples, injectAt: .milliseconds(250), revertAt: .milliseconds(600), consecutive: 2))
        #expect(impact.onset == Impact.Bracket(earliest: .zero, latest: .milliseconds(450)))  // inject → 700
        #expect(impact.recovered == Impact.Bracket(earliest: .milliseconds(450), latest: .milliseconds(451)))
    }

    // A flap inside the window does not end the outage: recovery follows the last failure that began before the revert.
    @Test func recoveryFollowsTheLastFailureInTheWindow() throws {
        let samples = Self.stream(failingAt: [1100, 1200, 1600, 1700, 2100])
        let impact = try #require(Impact.of(samples, injectAt: .milliseconds(1000), revertAt: .milliseconds(2000), consecutive: 2))
        #expect(impact.recovered?.earliest == .milliseconds(800))  // after the 1700 failure: 1800, 1900 ok
        // A failure after the revert (2100) does not move it back: the probe had recovered by then.
    }

    // A fault that acts after its instant (restart: revert = inject) recovers after its first outage.
    @Test func oneShotFaultRecoversAfterItsOutage() throws {
        let samples = Self.stream(failingAt: [1200, 1300])
        let impact = try #require(Impact.of(samples, injectAt: .milliseconds(1000), revertAt: .milliseconds(1000), consecutive: 3))
        #expect(impact.onset == Impact.Bracket(earliest: .milliseconds(101), latest: .milliseconds(200)))
        #expect(impact.recovered == Impact.Bracket(earliest: .milliseconds(400), latest: .milliseconds(401)))
    }

    // Never K ok checks in a row after the failure: not recovered, no downtime.
    @Test func notRecovered() throws {
        let samples = Self.stream(failingAt: Set(stride(from: 1100, through: 3000, by: 100)).subtracting([2000]))
        let impact = try #require(Impact.of(samples, injectAt: .milliseconds(1000), revertAt: .milliseconds(1500), consecutive: 2))
        #expect(impact.recovered == nil && impact.downtime == nil)
    }
}

extension ImpactTests {
    // An ok check that started during the outage and was answered when the service came back took
    // longer than usual: recovery is its end less the usual latency, not anywhere since its start.
    @Test func slowFirstAnswerBoundsTheRecovery() throws {
        let samples = [sample(0, .ok, latencyMS: 2), sample(100, .ok, latencyMS: 2), sample(200, .timeout, latencyMS: 500),
                       sample(700, .ok, latencyMS: 480), sample(1180, .ok, latencyMS: 2)]
        let impact = try #require(Impact.of(samples, injectAt: .milliseconds(150), revertAt: .milliseconds(1150), consecutive: 2))
        #expect(impact.recovered == Impact.Bracket(earliest: .milliseconds(1028), latest: .milliseconds(1030)))  // 1178 … 1180
    }
}
