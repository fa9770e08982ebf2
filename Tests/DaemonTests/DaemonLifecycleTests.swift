import Campaign
import DockerEngine
import Faults
import FaultlineSupport
import Foundation
import TestSupport
import Testing

/// The daemon across its life: the TCP listener's token, schedules across a restart, a SIGKILL
/// followed by a restart, and the warden when no restart comes.
@Suite(.serialized) struct DaemonLifecycleTests {
    // The TCP listener answers only with the token (none or a wrong one: 401; the scheme in any
    // case); a TCP listener without a token — loopback too — or with a short one, and a token on
    // the command line, are refused before anything starts (exit 2).
    @Test func tcpListenerNeedsTheToken() async throws {
        let port = try LoopbackPort.free()
        let token = "0123456789abcdef0123"
        let daemon = try await DaemonProcess(extra: ["--tcp", "127.0.0.1:\(port)"], environment: ["FAULTLINE_TOKEN": token])
        defer { Task { try? await daemon.stop() } }
        let url = "http://127.0.0.1:\(port)"
        let none = try await DaemonProcess.call(url: url, "GET", "/v1/health")
        #expect(none.status == 401 && none.body.contains("needs 'Authorization: Bearer TOKEN'"), "\(none)")
        let wrong = try await DaemonProcess.call(url: url, "GET", "/v1/health", headers: ["Authorization: Bearer 0123456789abcdef0124"])
        #expect(wrong.status == 401 && wrong.body.contains("wrong"))
        let right = try await DaemonProcess.call(url: url, "GET", "/v1/health", headers: ["Authorization: Bearer \(token)"])
        #expect(right.status == 200, "\(right)")
        let lower = try await DaemonProcess.call(url: url, "GET", "/v1/health", headers: ["Authorization: bearer \(token)"])
        #expect(lower.status == 200, "the scheme is case-insensitive: \(lower)")
        #expect(try await daemon.call("GET", "/v1/health").status == 200, "the socket needs no token (it is 0600)")

        for host in ["0.0.0.0", "127.0.0.1"] {
            let open = try await FaultlineProcess.run(["daemon", "--state-dir", NSTemporaryDirectory() + "fl-d-" + UUID().uuidString,
                                                       "--tcp", "\(host):\(port)", "--no-warden"])
            #expect(open.status == 2 && open.stderr.contains("refusing to listen on \(host)"), "\(open.stderr)")
        }
        let argv = try await FaultlineProcess.run(["daemon", "--state-dir", NSTemporaryDirectory() + "fl-d-" + UUID().uuidString,
                                                   "--tcp", "127.0.0.1:\(port)", "--token", token, "--no-warden"])
        #expect(argv.status == 2 && argv.stderr.contains("readable by every local user"), "\(argv.stderr)")
        let short = NSTemporaryDirectory() + "fl-token-" + UUID().uuidString
        try Data("short\n".utf8).write(to: URL(fileURLWithPath: short))
        chmod(short, 0o600)
        let tooShort = try await FaultlineProcess.run(["daemon", "--state-dir", NSTemporaryDirectory() + "fl-d-" + UUID().uuidString,
                                                       "--tcp", "127.0.0.1:\(port)", "--token-file", short, "--no-warden"])
        #expect(tooShort.status == 2 && tooShort.stderr.contains("at least 16"), "\(tooShort.stderr)")
        chmod(short, 0o644)
        let readable = try await FaultlineProcess.run(["daemon", "--state-dir", NSTemporaryDirectory() + "fl-d-" + UUID().uuidString,
                                                       "--tcp", "127.0.0.1:\(port)", "--token-file", short, "--no-warden"])
        #expect(readable.status == 2 && readable.stderr.contains("can be read by others"), "\(readable.stderr)")
        let name = try await FaultlineProcess.run(["daemon", "--state-dir", NSTemporaryDirectory() + "fl-d-" + UUID().uuidString,
                                                   "--tcp", "127.attacker.invalid:\(port)", "--no-warden"])
        #expect(name.status == 2 && name.stderr.contains("must be an IP address"), "\(name.stderr)")
    }

    // A schedule whose campaign no longer plans (its container is gone) is disabled at its first
    // refused firing, with the reason, instead of being refused again at every firing.
    @Test func scheduleThatNoLongerPlansIsDisabled() async throws {
        let daemon = try await DaemonProcess()
        defer { Task { try? await daemon.stop() } }
        let campaign = DaemonAPITests.campaign(container: "fl-test-gone-\(UUID().uuidString.prefix(8))", port: 1, name: "gone")
        let body = String(decoding: try JSONSerialization.data(withJSONObject: ["campaign": campaign, "every": "1s"]), as: UTF8.self)
        let added = try #require(try await daemon.json("POST", "/v1/schedules", body: body) as? [String: Any])
        var listing: [String: Any] = [:]
        for _ in 0..<60 {
            let all = try await daemon.json("GET", "/v1/schedules") as? [[String: Any]] ?? []
            listing = all.first { $0["id"] as? String == added["id"] as? String } ?? [:]
            if listing["disabled"] is String { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let reason = try #require(listing["disabled"] as? String, "\(listing)")
        #expect(reason.contains("matches no container") || reason.contains("no container"), "\(reason)")
        try await Task.sleep(for: .seconds(2))
        let later = (try await daemon.json("GET", "/v1/schedules") as? [[String: Any]] ?? []).first { $0["id"] as? String == added["id"] as? String }
        #expect(later?["runs"] as? Int == 0 && later?["next_run"] == nil, "\(later ?? [:])")
    }

    // A second daemon on the same state directory is refused with the first one's pid.
    @Test func oneDaemonPerStateDirectory() async throws {
        let daemon = try await DaemonProcess()
        defer { Task { try? await daemon.stop() } }
        let second = try await FaultlineProcess.run(["daemon", "--state-dir", daemon.stateDirectory, "--no-warden"])
        #expect(second.status != 0 && second.stderr.contains("another faultline daemon (pid \(daemon.process.pid))"), "\(second.stderr)")
        #expect(try await daemon.call("GET", "/v1/health").status == 200)
    }

    // An every-1s schedule whose runs last longer fires, skips while its run goes, and records
    // both; schedules (and their next run) survive a restart; removing one is final.
    @Test func schedulesFireSkipAndSurviveARestart() async throws {
        try await DaemonAPITests.withRedis { _, container, port in
            let state = NSTemporaryDirectory() + "fl-sched-" + UUID().uuidString
            var daemon = try await DaemonProcess(stateDirectory: state)
            let campaign = DaemonAPITests.campaign(container: container.name, port: port, window: "2s", name: "scheduled")
            func add(_ fields: [String: Any]) async throws -> [String: Any] {
                var body = fields
                body["campaign"] = campaign
                let text = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
                return try #require(try await daemon.json("POST", "/v1/schedules", body: text) as? [String: Any])
            }
            let frequent = try await add(["every": "1s"])
            let yearly = try await add(["cron": "0 0 1 1 *", "name": "new-year"])
            let bad = try await daemon.call("POST", "/v1/schedules", body: #"{"campaign": "name: x", "cron": "61 * * * *"}"#)
            #expect(bad.status == 400)
            let badCron = try await daemon.call("POST", "/v1/schedules",
                                                body: String(decoding: try JSONSerialization.data(withJSONObject: ["campaign": campaign, "cron": "61 * * * *"]), as: UTF8.self))
            #expect(badCron.status == 400 && badCron.body.contains("cron minute '61' is not in 0-59"), "\(badCron)")
            try await Task.sleep(for: .seconds(4.5))
            let listed = try #require(try await daemon.json("GET", "/v1/schedules") as? [[String: Any]])
            let fired = try #require(listed.first { $0["id"] as? String == frequent["id"] as? String })
            #expect((fired["runs"] as? Int ?? 0) >= 1 && (fired["skipped"] as? Int ?? 0) >= 1, "\(fired)")
            let runs = try #require(try await daemon.json("GET", "/v1/runs") as? [[String: Any]])
            #expect(runs.contains { $0["schedule"] as? String == frequent["id"] as? String })
            #expect(runs.filter { ["running", "queued"].contains($0["status"] as? String) }.count <= 1, "skip-if-running let runs pile up: \(runs)")

            try await daemon.stop()
            daemon = try await DaemonProcess(stateDirectory: state)
            let after = try #require(try await daemon.json("GET", "/v1/schedules") as? [[String: Any]])
            #expect(Set(after.compactMap { $0["id"] as? String }) == Set([frequent["id"] as? String, yearly["id"] as? String].compactMap { $0 }))
            #expect(after.first { $0["id"] as? String == yearly["id"] as? String }?["next_run"] as? String == yearly["next_run"] as? String)
            let removed = try await daemon.call("DELETE", "/v1/schedules/\(frequent["id"] as? String ?? "")")
            #expect(removed.status == 200)
            #expect(try await daemon.call("DELETE", "/v1/schedules/\(frequent["id"] as? String ?? "")").status == 404)
            try await daemon.stop()
        }
    }

    // SIGKILL mid-window, no warden: the fault stays; the next daemon's start-up recovery reverts
    // it, marks the run interrupted with the reason, and its journal still reads (reports included).
    @Test func restartMarksAKilledRunInterrupted() async throws {
        try await DaemonAPITests.withRedis { engine, container, port in
            let state = NSTemporaryDirectory() + "fl-kill-" + UUID().uuidString
            let before = try await ContainerSnapshot.take(container.id, engine: engine)
            let daemon = try await DaemonProcess(stateDirectory: state)
            let text = DaemonAPITests.campaign(container: container.name, port: port, window: "60s")
            let id = try #require((try await daemon.json("POST", "/v1/runs", body: DaemonAPITests.submitJSON(text)) as? [String: Any])?["id"] as? String)
            for _ in 0..<100 where try await engine.inspectContainer(container.id).state.paused == false {
                try await Task.sleep(for: .milliseconds(50))
            }
            try await daemon.kill()
            #expect(try await engine.inspectContainer(container.id).state.paused == true, "nothing should have reverted it yet")
            let next = try await DaemonProcess(stateDirectory: state)
            defer { Task { try? await next.stop() } }
            #expect(try await ContainerSnapshot.take(container.id, engine: engine) == before)
            let run = try await next.run(id)
            #expect(run["status"] as? String == "interrupted", "\(run)")
            #expect((run["reason"] as? String ?? "").contains("stopped while this run was running"))
            let directory = try #require(run["directory"] as? String)
            let record = try RunRecord.load(directory: directory)
            #expect(record.plan != nil && record.abortReason?.contains("interrupted") == true)
            #expect(FileManager.default.fileExists(atPath: directory + "/report.json"))
        }
    }

    // The warden: SIGKILL the daemon mid-window and start no other; the warden reverts the fault
    // well within its deadline (window end + 10 s grace) + 2 s — in practice within a second — and
    // exits once nothing is open and no faultline process beats.
    @Test func wardenRevertsAfterTheDaemonDies() async throws {
        try await DaemonAPITests.withRedis { engine, container, port in
            let daemon = try await DaemonProcess(warden: true)
            let text = DaemonAPITests.campaign(container: container.name, port: port, window: "30s")
            _ = try await daemon.json("POST", "/v1/runs", body: DaemonAPITests.submitJSON(text))
            for _ in 0..<100 where try await engine.inspectContainer(container.id).state.paused == false {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(try await engine.inspectContainer(container.id).state.paused == true)
            let clock = ContinuousClock()
            try await daemon.kill()
            let killed = clock.now
            while try await engine.inspectContainer(container.id).state.paused, clock.now - killed < .seconds(42) {
                try await Task.sleep(for: .milliseconds(20))
            }
            let took = clock.now - killed
            #expect(try await engine.inspectContainer(container.id).state.paused == false)
            #expect(took < .seconds(2), "the warden took \(took) to revert after the daemon died")
            // The warden records the revert just after the engine call returns.
            let ledger = try FaultLedger(stateDirectory: daemon.stateDirectory)
            for _ in 0..<100 where try !ledger.openEntries().isEmpty { try await Task.sleep(for: .milliseconds(30)) }
            #expect(try ledger.openEntries().isEmpty)
            var wardenGone = false
            for _ in 0..<50 where !wardenGone {
                let listing = try await CommandRunner.run(["/usr/bin/pgrep", "-f", "warden --state-dir \(daemon.stateDirectory)"])
                wardenGone = listing.stdout.isEmpty
                if !wardenGone { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(wardenGone, "the warden should exit once nothing is open and nothing beats")
        }
    }
}
