import DockerEngine
import Foundation
import TestSupport
import Testing

/// `faultline run`, `validate`, `report` as processes: exit codes, SIGTERM mid-run, reports on disk.
@Suite(.serialized) struct CampaignCommandTests {
    /// The fault lands between two of the probe's 100 ms ticks (250 ms into the faults phase), so
    /// which checks overlap its window does not hang on a sub-millisecond race with a tick.
    static func campaign(container: String, port: Int, window: String = "20s") -> String {
        """
        name: cli-pause
        targets: { cache: { name: \(container) } }
        probes:
          - { name: redis, redis: { host: 127.0.0.1, port: \(port) }, every: 100ms, timeout: 300ms }
        hypothesis:
          steady_state: { window: 300ms }
          checks: [{ probe: redis, recover_within: 2s }]
        timeline:
          - { at: 250ms, fault: { pause: { target: cache } }, for: \(window) }
        """
    }

    static func write(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "fl-cli-campaign-" + UUID().uuidString + ".yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }


    /// Starts `faultline run` of a 20 s pause on a Redis container and calls `body` once it is injected.
    static func withPausedRun(_ body: @escaping (DockerEngineClient, ContainerDetails, FaultlineProcess, _ state: String, _ runs: String) async throws -> Void) async throws {
        let engine = try await TestEngine.client()
        let state = NSTemporaryDirectory() + "fl-cli-state-" + UUID().uuidString
        let runs = NSTemporaryDirectory() + "fl-cli-runs-" + UUID().uuidString
        try await withTestContainer(TestServers.spec(.redis), engine: engine) { container in
            let port = try await TestServers.publishedPort(.redis, of: container.id, engine: engine)
            try await TestServers.awaitRedis(port)
            let file = try Self.write(Self.campaign(container: container.name, port: port))
            let child = try FaultlineProcess(["run", file, "--state-dir", state, "--runs-dir", runs])
            try await child.waitFor("injected")
            #expect(try await engine.inspectContainer(container.id).state.paused)
            try await body(engine, container, child, state, runs)
        }
    }

    // SIGTERM mid-window: everything is reverted before exit (143), the journal and reports say aborted.
    @Test func sigtermRevertsEverything() async throws {
        try await Self.withPausedRun { engine, container, child, state, runs in
            child.signal(SIGTERM)
            #expect(try await child.waitForExit() == 143, "\(child.text)")
            #expect(try await engine.inspectContainer(container.id).state.paused == false)
            #expect(child.text.contains("aborted"), "\(child.text)")
            let recover = try await FaultlineProcess.run(["recover", "--state-dir", state])
            #expect(recover.stdout.contains("nothing to recover"))
            let directory = try #require(try FileManager.default.contentsOfDirectory(atPath: runs).first)
            let junit = try String(contentsOfFile: "\(runs)/\(directory)/junit.xml", encoding: .utf8)
            #expect(junit.contains("interrupted by SIGTERM"))
        }
    }

    // SIGKILL mid-window: the warden `run` started beside itself reverts the fault within about a
    // second, with no `recover`; the ledger has nothing open afterwards.
    @Test func wardenRevertsAKilledRun() async throws {
        try await Self.withPausedRun { engine, container, child, state, _ in
            child.signal(SIGKILL)
            _ = try await child.waitForExit()
            let clock = ContinuousClock(), killed = clock.now
            while try await engine.inspectContainer(container.id).state.paused, clock.now - killed < .seconds(20) {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(try await engine.inspectContainer(container.id).state.paused == false)
            #expect(clock.now - killed < .seconds(2), "the warden took \(clock.now - killed)")
            #expect(try await FaultlineProcess.run(["recover", "--state-dir", state]).stdout.contains("nothing to recover"))
        }
    }

    // A held hypothesis exits 0 with all four reports; `report` re-renders them from the journal.
    @Test func runWritesReports() async throws {
        let engine = try await TestEngine.client()
        let runs = NSTemporaryDirectory() + "fl-cli-runs-" + UUID().uuidString
        try await withTestContainer(TestServers.spec(.redis), engine: engine) { container in
            let port = try await TestServers.publishedPort(.redis, of: container.id, engine: engine)
            try await TestServers.awaitRedis(port)
            let file = try Self.write(Self.campaign(container: container.name, port: port, window: "1s"))
            let result = try await FaultlineProcess.run(["run", file, "--state-dir", NSTemporaryDirectory() + "fl-cli-state-" + UUID().uuidString, "--runs-dir", runs])
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            #expect(result.stdout.contains("hypothesis held"))
            let directory = "\(runs)/\(try #require(try FileManager.default.contentsOfDirectory(atPath: runs).first))"
            for name in ["journal.jsonl", "report.json", "junit.xml", "summary.md", "report.html"] {
                #expect(FileManager.default.fileExists(atPath: "\(directory)/\(name)"), "\(name) missing")
            }
            try FileManager.default.removeItem(atPath: "\(directory)/report.html")
            let report = try await FaultlineProcess.run(["report", directory])
            #expect(report.status == 0 && FileManager.default.fileExists(atPath: "\(directory)/report.html"))
            let dry = try await FaultlineProcess.run(["replay", directory, "--dry-run"])
            #expect(dry.status == 0 && dry.stdout.contains("pause") && dry.stdout.contains(container.name), "\(dry.stdout)\(dry.stderr)")
        }
    }

    // run --trials 3: three runs in one directory, each a full run with its reports; trials.json
    // tallies the check over them and spreads the downtime; a replayed trial acts on the same container.
    @Test func trialsRunTheCampaignRepeatedly() async throws {
        let engine = try await TestEngine.client()
        let runs = NSTemporaryDirectory() + "fl-cli-runs-" + UUID().uuidString
        try await withTestContainer(TestServers.spec(.redis), engine: engine) { container in
            let port = try await TestServers.publishedPort(.redis, of: container.id, engine: engine)
            try await TestServers.awaitRedis(port)
            let file = try Self.write(Self.campaign(container: container.name, port: port, window: "600ms"))
            let result = try await FaultlineProcess.run(["run", file, "--trials", "3", "--state-dir", NSTemporaryDirectory() + "fl-cli-state-" + UUID().uuidString,
                                                         "--runs-dir", runs])
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            #expect(result.stdout.contains("trial 3 of 3") && result.stdout.contains("every check held in all 3 trials"), "\(result.stdout)")
            let directory = "\(runs)/\(try #require(try FileManager.default.contentsOfDirectory(atPath: runs).first))"
            #expect(directory.contains("cli-pause-trials"))
            for trial in 1...3 {
                let journal = try String(contentsOfFile: "\(directory)/trial-\(trial)/journal.jsonl", encoding: .utf8)
                #expect(journal.contains(container.name), "trial \(trial) did not act on \(container.name)")
                #expect(FileManager.default.fileExists(atPath: "\(directory)/trial-\(trial)/report.json"))
            }
            let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(directory)/trials.json"))) as? [String: Any])
            #expect(json["verdict"] as? String == "held" && json["trials"] as? Int == 3 && json["trial_plan"] as? String == "replay")
            let checks = try #require(json["checks"] as? [[String: Any]])
            #expect(checks.contains { $0["name"] as? String == "redis recover_within 2s" && $0["held"] as? Int == 3 }, "\(checks)")
            let figures = try #require(json["figures"] as? [[String: Any]])
            let downtime = try #require(figures.first { $0["probe"] as? String == "redis" && $0["figure"] as? String == "downtime" })
            // A paused Redis fails every check of the 600 ms window: each trial's downtime is about that.
            let values = try #require(downtime["values_ms"] as? [Double])
            #expect(values.count == 3 && values.allSatisfy { (300...2000).contains($0) }, "\(values)")
            #expect(FileManager.default.fileExists(atPath: "\(directory)/trials.md"))
            // compare reads a directory of trials as a set: against itself, no regression.
            let compare = try await FaultlineProcess.run(["compare", directory, directory])
            #expect(compare.status == 0 && compare.stdout.contains("(3 trials: 3 held)") && compare.stdout.contains("rank test"), "\(compare.stdout)\(compare.stderr)")
        }
        let bad = try await FaultlineProcess.run(["run", "x.yaml", "--trials", "0"])
        #expect(bad.status == 2 && bad.stderr.contains("--trials must be between 1 and 100, got 0"), "\(bad.stderr)")
    }

    // run --baseline DIR: the same campaign again is no regression (a passing "baseline" check);
    // a pause four times as long is one — exit 1, and JUnit names the figure; a baseline of another
    // plan is refused before anything is injected.
    @Test func baselineJudgesTheRunAgainstAnEarlierOne() async throws {
        let engine = try await TestEngine.client()
        let runs = NSTemporaryDirectory() + "fl-cli-runs-" + UUID().uuidString
        let state = NSTemporaryDirectory() + "fl-cli-state-" + UUID().uuidString
        try await withTestContainer(TestServers.spec(.redis), engine: engine) { container in
            let port = try await TestServers.publishedPort(.redis, of: container.id, engine: engine)
            try await TestServers.awaitRedis(port)
            let file = try Self.write(Self.campaign(container: container.name, port: port, window: "600ms"))
            let first = try await FaultlineProcess.run(["run", file, "--state-dir", state, "--runs-dir", runs + "/base"])
            #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
            let base = "\(runs)/base/\(try #require(try FileManager.default.contentsOfDirectory(atPath: runs + "/base").first))"
            let again = try await FaultlineProcess.run(["run", file, "--baseline", base, "--state-dir", state, "--runs-dir", runs + "/again"])
            #expect(again.status == 0 && again.stdout.contains("pass  baseline: no regression against \(base)"), "\(again.stdout)\(again.stderr)")
            let longer = try Self.write(Self.campaign(container: container.name, port: port, window: "2400ms"))
            let worse = try await FaultlineProcess.run(["run", longer, "--baseline", base, "--state-dir", state, "--runs-dir", runs + "/worse"])
            #expect(worse.status == 1 && worse.stdout.contains("FAIL  baseline redis downtime — #1 pause"), "\(worse.stdout)\(worse.stderr)")
            let directory = "\(runs)/worse/\(try #require(try FileManager.default.contentsOfDirectory(atPath: runs + "/worse").first))"
            let junit = try String(contentsOfFile: "\(directory)/junit.xml", encoding: .utf8)
            #expect(junit.contains("baseline redis downtime") && junit.contains("(baseline \(base)); grew by"), "\(junit)")
            let other = try Self.write(Self.campaign(container: container.name, port: port).replacingOccurrences(of: "pause: { target: cache }", with: "restart: { target: cache }")
                .replacingOccurrences(of: ", for: 20s", with: ""))
            let refused = try await FaultlineProcess.run(["run", other, "--baseline", base, "--state-dir", state, "--runs-dir", runs + "/other"])
            #expect(refused.status == 2 && refused.stderr.contains("window #1 is pause on cache in baseline"), "\(refused.stdout)\(refused.stderr)")
            #expect(!FileManager.default.fileExists(atPath: runs + "/other"))
            let missing = try await FaultlineProcess.run(["run", file, "--baseline", runs + "/nonexistent", "--state-dir", state, "--runs-dir", runs + "/missing"])
            #expect(missing.status == 2 && missing.stderr.contains("--baseline: \(runs)/nonexistent is neither a run directory nor one of trials"), "\(missing.stderr)")
            #expect(!FileManager.default.fileExists(atPath: runs + "/missing"))
        }
    }

    // validate: a typo exits 2 naming file, line, column and the allowed keys; nothing runs.
    @Test func validateLocatesTypos() async throws {
        let file = try Self.write(Self.campaign(container: "x", port: 1).replacingOccurrences(of: "hypothesis:", with: "hypotesis:"))
        let result = try await FaultlineProcess.run(["validate", file])
        #expect(result.status == 2)
        #expect(result.stderr.contains("\(file):5:1: hypotesis: unknown key 'hypotesis'; did you mean 'hypothesis'?"), "\(result.stderr)")
        let run = try await FaultlineProcess.run(["run", file])
        #expect(run.status == 2)
    }
}
