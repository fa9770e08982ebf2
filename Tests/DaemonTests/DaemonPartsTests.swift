import Campaign
@testable import Daemon
import FaultlineSupport
import Foundation
import Logging
import Testing

@Suite struct DaemonPartsTests {
    static let campaign = """
    name: scheduled
    targets:
      db: { name: postgres }
    timeline:
      - { at: 1s, fault: { pause: { target: db } }, for: 2s }
    """

    static func book() -> ScheduleBook {
        ScheduleBook(path: NSTemporaryDirectory() + "fl-book-" + UUID().uuidString + "/schedules.json", logger: Logger(label: "test"))
    }

    // A schedule needs exactly one of cron and every, a valid campaign (located error) and sane durations;
    // an accepted one is planned and persisted, and a new book on the same file reads it back.
    @Test func validatesAndPersistsSchedules() async throws {
        let book = Self.book()
        let cases: [(ScheduleRequest, String)] = [
            (ScheduleRequest(campaign: Self.campaign), "give either 'cron'"),
            (ScheduleRequest(campaign: Self.campaign, cron: "* * * * *", every: "1m"), "give either 'cron'"),
            (ScheduleRequest(campaign: Self.campaign, every: "soon"), "every: 'soon' is not a duration"),
            (ScheduleRequest(campaign: Self.campaign, every: "100ms"), "shorter than 1s"),
            (ScheduleRequest(campaign: Self.campaign.replacingOccurrences(of: "pause", with: "paus"), file: "s.yaml", every: "1m"),
             "s.yaml:5:24: timeline[0].fault.paus: unknown key 'paus'"),
            (ScheduleRequest(campaign: Self.campaign, cron: "0 0 31 2 *"), "never fires"),
        ]
        for (request, expected) in cases {
            await #expect { try await book.add(request) } throws: { "\($0)".contains(expected) }
        }
        #expect(await book.list().isEmpty)
        let before = Date()
        let added = try await book.add(ScheduleRequest(name: "nightly", campaign: Self.campaign, every: "10m", jitter: "30s"))
        let next = try #require(added.nextRun)
        #expect(next >= before.addingTimeInterval(600) && next <= Date().addingTimeInterval(631))
        let reread = ScheduleBook(path: book.path, logger: Logger(label: "test"))
        await reread.load()
        // Times are kept to the millisecond.
        let loaded = await reread.list()
        #expect(loaded.map(\.id) == [added.id] && loaded.first?.everySeconds == 600 && loaded.first?.jitterSeconds == 30)
        #expect(loaded.first?.nextRun.map { Timestamp.iso8601($0) } == Timestamp.iso8601(next))
    }

    // An interval counts from the planned time (no drift); a firing missed while the daemon was
    // down is caught up once, then the plan continues from now.
    @Test func plansFromThePlannedTime() throws {
        var schedule = Schedule(id: "s", name: "n", campaign: "", file: "", variables: [:], cron: nil, everySeconds: 60,
                                jitterSeconds: 0, skipIfRunning: true, createdAt: Date())
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        schedule.planNext(after: start, now: start)
        #expect(schedule.nextRun == start.addingTimeInterval(60))
        schedule.planNext(after: schedule.plannedRun!, now: start.addingTimeInterval(60.4))
        #expect(schedule.nextRun == start.addingTimeInterval(120))
        let muchLater = start.addingTimeInterval(3600.5)
        schedule.planNext(after: schedule.plannedRun!, now: muchLater)
        #expect(schedule.nextRun == muchLater.addingTimeInterval(60))
    }

    // A follower that joins late gets every line so far, then live ones, and its stream ends with the run.
    @Test func lateFollowersMissNothing() async {
        let log = RunEventLog()
        log.append(RunEventLine(event: "phase", text: "one"))
        let stream = log.follow()
        log.append(RunEventLine(event: "phase", text: "two"))
        log.finish()
        log.append(RunEventLine(event: "phase", text: "after the end"))
        var texts: [String] = []
        for await line in stream { texts.append(line.text) }
        #expect(texts == ["one", "two"])
        var replay: [String] = []
        for await line in log.follow() { replay.append(line.text) }
        #expect(replay == ["one", "two"])
    }

    // The exposition text has every family, cumulative histogram buckets and escaped labels.
    @Test func rendersPrometheusText() {
        let metrics = DaemonMetrics()
        metrics.engineCall(method: "POST", duration: .milliseconds(14), succeeded: true)
        metrics.engineCall(method: "POST", duration: .milliseconds(120), succeeded: false)
        metrics.runStarted()
        metrics.faultInjected(kind: "pause")
        metrics.sample(probe: "a\"b", ok: false)
        let text = metrics.render()
        #expect(text.contains("# TYPE faultline_engine_call_duration_seconds histogram"))
        #expect(text.contains(#"faultline_engine_call_duration_seconds_bucket{method="POST",le="0.01"} 0"#))
        #expect(text.contains(#"faultline_engine_call_duration_seconds_bucket{method="POST",le="0.025"} 1"#))
        #expect(text.contains(#"faultline_engine_call_duration_seconds_bucket{method="POST",le="+Inf"} 2"#))
        #expect(text.contains(#"faultline_engine_call_failures_total{method="POST"} 1"#))
        #expect(text.contains("faultline_runs_active 1") && text.contains("faultline_faults_active 1"))
        #expect(text.contains(#"faultline_runs_total{status="held"} 0"#))
        #expect(text.contains(#"faultline_probe_failures_total{probe="a\"b"} 1"#))
    }

    // Tokens compare equal only when equal, whatever their lengths.
    @Test func comparesTokens() {
        #expect(BearerTokenMiddleware.equal(Array("abc".utf8), Array("abc".utf8)))
        #expect(!BearerTokenMiddleware.equal(Array("abc".utf8), Array("abd".utf8)))
        #expect(!BearerTokenMiddleware.equal(Array("abc".utf8), Array("abcd".utf8)))
        #expect(!BearerTokenMiddleware.equal([], Array("a".utf8)))
    }
}
