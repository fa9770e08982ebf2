@testable import Benchmarks
import Foundation
import Testing

@Suite struct RecoveryAccuracyBenchmarkTests {
    /// One check (seconds since the epoch; Date keeps them to about a microsecond here).
    func check(_ start: Double, _ end: Double, _ ok: Bool) -> DenseProber.Check {
        DenseProber.Check(start: Date(timeIntervalSince1970: start), end: Date(timeIntervalSince1970: end), ok: ok)
    }

    // A check already in flight when the engine froze the server (it started before `from` and timed out after it) is the first failure: the onset is between the ok check before it and its start, not at the next check 100 ms later.
    @Test func aCheckInFlightAtTheFaultIsTheFirstFailure() throws {
        let checks = [
            check(99.970, 99.972, true), check(99.977, 99.979, true),
            check(99.984, 100.084, false),   // in flight: the pause came at ~99.985, its event at 100.000
            check(100.089, 100.189, false), check(100.194, 100.294, false),
            check(100.299, 100.301, true),
        ]
        let outage = RecoveryAccuracyBenchmark.outage(in: checks, from: 99.990)
        let onset = try #require(outage.onset)
        #expect(abs(onset - (99.979 + 99.984) / 2) < 1e-6)
        #expect(abs((outage.detected ?? 0) - 100.084) < 1e-6)
        #expect(abs((outage.recovered ?? 0) - 100.301) < 1e-6)
    }

    // Checks that failed and ended before `from` (an earlier outage) are not this one's: its onset comes from the first failure that ended after `from`.
    @Test func anEarlierOutageIsNotThisOne() throws {
        let checks = [
            check(90.000, 90.100, false), check(90.105, 90.107, true),
            check(99.990, 99.992, true), check(100.010, 100.110, false), check(100.115, 100.117, true),
        ]
        let outage = RecoveryAccuracyBenchmark.outage(in: checks, from: 99.995)
        let onset = try #require(outage.onset)
        #expect(abs(onset - (99.992 + 100.010) / 2) < 1e-6)
        #expect(abs((outage.detected ?? 0) - 100.110) < 1e-6)
        #expect(abs((outage.recovered ?? 0) - 100.117) < 1e-6)
    }

    // With no failure after `from` there is no outage.
    @Test func noFailureNoOutage() {
        let outage = RecoveryAccuracyBenchmark.outage(in: [check(100, 100.002, true), check(100.005, 100.007, true)], from: 99.99)
        #expect(outage.onset == nil && outage.detected == nil && outage.recovered == nil)
    }
}
