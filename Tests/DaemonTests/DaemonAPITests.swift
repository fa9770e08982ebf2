import DockerEngine
import FaultlineSupport
import Foundation
import TestSupport
import Testing

/// The daemon's API against a real daemon process (unix socket) and real containers.
@Suite(.serialized) struct DaemonAPITests {
    /// A campaign that pauses `container` for `window` while probing its Redis on `port`.
    static func campaign(container: String, port: Int, window: String = "1s", name: String = "daemon-test") -> String {
        """
        name: \(name)
        targets:
          cache: { name: \(container) }
        probes:
          - name: redis
            redis: { host: 127.0.0.1, port: \(port) }
            every: 100ms
            timeout: 300ms
        hypothesis:
          steady_state: { window: 300ms }
          checks:
            - { probe: redis, recover_within: 3s }
        timeline:
          - { at: 200ms, fault: { pause: { target: cache } }, for: \(window) }
        """
    }

    static func submitJSON(_ campaign: String, queue: Bool = false) -> String {
        let object: [String: Any] = ["campaign": campaign, "file": "/tmp/test.yaml", "queue": queue]
        return String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    static func withRedis<T: Sendable>(_ body: @escaping (DockerEngineClient, ContainerDetails, Int) async throws -> T) async throws -> T {
        let engine = try await TestEngine.client()
        return try await withTestContainer(TestServers.spec(.redis), engine: engine) { container in
            let port = try await TestServers.publishedPort(.redis, of: container.id, engine: engine)
            try await TestServers.awaitRedis(port)
            return try await body(engine, container, port)
        }
    }

    static func object(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    // Health answers on a socket only its owner may open (0600), with the engine reachable.
    @Test func answersHealthOnAPrivateSocket() async throws {
        let daemon = try await DaemonProcess()
        defer { Task { try? await daemon.stop() } }
        let attributes = try FileManager.default.attributesOfItem(atPath: daemon.socket)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let health = try await daemon.json("GET", "/v1/health") as? [String: Any]
        #expect(health?["status"] as? String == "ok" && health?["engine"] as? String == "ok", "\(health ?? [:])")
        #expect((health?["pid"] as? Int).map(Int32.init) == daemon.process.pid)
        #expect(try await daemon.stop() == 0)
    }

    // A submitted file name outside the Basic Multilingual Plane is refused like any campaign that
    // does not parse, and the daemon lives on (Foundation's path methods trapped on it: the API fuzz found it).
    @Test func survivesAnyFileName() async throws {
        let daemon = try await DaemonProcess()
        defer { Task { try? await daemon.stop() } }
        for file in ["\u{FB23B}", "/\u{FB23B}", "\u{1F600}/\u{10FFFF}", "", "/"] {
            let body = String(decoding: try JSONSerialization.data(withJSONObject: ["campaign": "name: x", "file": file]), as: UTF8.self)
            let answer = try await daemon.call("POST", "/v1/runs", body: body)
            #expect(answer.status == 400, "file \(file.unicodeScalars.map { String($0.value, radix: 16) }): \(answer)")
        }
        #expect(try await daemon.call("GET", "/v1/health").status == 200)
        #expect(try await daemon.stop() == 0)
    }

    // Bad JSON, a missing field, a campaign with a typo (file, line, column and the allowed keys),
    // an unknown target: each a clear 4xx, and no run is started.
    @Test func refusesBadInputAndStartsNothing() async throws {
        try await Self.withRedis { _, container, port in
            let daemon = try await DaemonProcess()
            defer { Task { try? await daemon.stop() } }
            let notJSON = try await daemon.call("POST", "/v1/runs", body: "{not json")
            #expect(notJSON.status == 400 && notJSON.body.contains("not valid JSON"), "\(notJSON)")
            let missing = try await daemon.call("POST", "/v1/runs", body: #"{"file": "x.yaml"}"#)
            #expect(missing.status == 400 && missing.body.contains("misses 'campaign'"), "\(missing)")
            let typo = Self.campaign(container: container.name, port: port).replacingOccurrences(of: "timeline:", with: "timelin:")
            let refused = try await daemon.call("POST", "/v1/runs?file=typo.yaml", body: typo, contentType: "application/yaml")
            #expect(refused.status == 400, "\(refused)")
            let error = Self.object(refused.body)["error"] as? [String: Any] ?? [:]
            #expect(error["file"] as? String == "typo.yaml" && error["line"] as? Int == 13 && error["column"] as? Int == 1, "\(error)")
            #expect((error["message"] as? String ?? "").contains("unknown key 'timelin'; did you mean 'timeline'?"))
            let unknown = Self.campaign(container: container.name + "-nope", port: port)
            let unplanned = try await daemon.call("POST", "/v1/runs", body: Self.submitJSON(unknown))
            #expect(unplanned.status == 422 && unplanned.body.contains("matches no container"), "\(unplanned)")
            let empty = try await daemon.call("POST", "/v1/runs", body: "", contentType: "application/yaml")
            #expect(empty.status == 400)
            #expect((try await daemon.json("GET", "/v1/runs") as? [Any])?.isEmpty == true)
            #expect(try await daemon.call("GET", "/v1/runs/nope").status == 404)
        }
    }

    // A submitted campaign runs: its events stream live (server-sent events) until it ends, it
    // holds, its reports are served, and the metrics count the run, the fault and the samples.
    @Test func runsACampaignAndStreamsItsEvents() async throws {
        try await Self.withRedis { engine, container, port in
            let daemon = try await DaemonProcess()
            defer { Task { try? await daemon.stop() } }
            let submitted = try await daemon.json("POST", "/v1/runs", body: Self.submitJSON(Self.campaign(container: container.name, port: port))) as? [String: Any]
            let id = try #require(submitted?["id"] as? String)
            #expect(submitted?["status"] as? String == "running")
            let stream = try await daemon.call("GET", "/v1/runs/\(id)/events", timeout: .seconds(30))
            #expect(stream.status == 200)
            let events = stream.body.split(separator: "\n").filter { $0.hasPrefix("event: ") }.map { $0.dropFirst("event: ".count) }
            #expect(events.first == "phase" && events.contains("injected") && events.contains("reverted") && events.last == "held", "\(events)")
            let run = try await daemon.run(id)
            #expect(run["status"] as? String == "held", "\(run)")
            let detail = try await daemon.json("GET", "/v1/runs/\(id)") as? [String: Any]
            #expect((detail?["reports"] as? [String])?.contains("junit.xml") == true)
            #expect(((detail?["windows"] as? [[String: Any]])?.first?["outcome"] as? String) == "restored")
            let junit = try await daemon.call("GET", "/v1/runs/\(id)/reports/junit.xml")
            #expect(junit.status == 200 && junit.body.contains("<testsuite"))
            let metrics = try await daemon.call("GET", "/metrics").body
            #expect(metrics.contains(#"faultline_runs_total{status="held"} 1"#))
            #expect(metrics.contains(#"faultline_faults_injected_total{kind="pause"} 1"#))
            #expect(metrics.contains(#"faultline_faults_reverted_total{kind="pause"} 1"#))
            #expect(metrics.contains("faultline_faults_active 0"))
            #expect(metrics.contains(#"faultline_engine_call_duration_seconds_count{method="POST"}"#))
            #expect(metrics.contains(#"faultline_probe_samples_total{probe="redis"}"#))
            // The campaign's latest figures: a paused Redis is down about as long as the 1 s window.
            #expect(metrics.contains(#"faultline_campaign_held{campaign="daemon-test"} 1"#), "\(metrics)")
            let downtime = metrics.split(separator: "\n").first { $0.hasPrefix(#"faultline_campaign_downtime_seconds{campaign="daemon-test",window="1",probe="redis"}"#) }
            let seconds = try #require(downtime.flatMap { $0.split(separator: " ").last }.flatMap { Double($0) }, "\(metrics)")
            #expect((0.5...3).contains(seconds), "\(seconds)")
            // The history: this run, with the same figure from its journal; an unknown campaign names those there are.
            let history = try #require(try await daemon.json("GET", "/v1/campaigns/daemon-test/history") as? [[String: Any]])
            #expect(history.count == 1 && history[0]["id"] as? String == id && history[0]["status"] as? String == "held", "\(history)")
            let figure = try #require((history[0]["figures"] as? [[String: Any]])?.first { $0["probe"] as? String == "redis" })
            #expect(abs((figure["downtime_ms"] as? Double ?? 0) / 1000 - seconds) < 0.001 && figure["recovered"] as? Bool == true, "\(figure)")
            let unknown = try await daemon.call("GET", "/v1/campaigns/nope/history")
            #expect(unknown.status == 404 && unknown.body.contains("campaigns: daemon-test"), "\(unknown.body)")
            #expect(try await engine.inspectContainer(container.id).state.paused == false)
        }
    }

    // Two runs on one container at once: the second is refused naming the first; asked to queue,
    // it waits and runs once the first has ended. Concurrent submissions on other containers run at once.
    @Test func refusesOrQueuesConflictingRuns() async throws {
        try await Self.withRedis { _, container, port in
            let daemon = try await DaemonProcess()
            defer { Task { try? await daemon.stop() } }
            let long = Self.campaign(container: container.name, port: port, window: "2s", name: "first")
            let first = try await daemon.json("POST", "/v1/runs", body: Self.submitJSON(long)) as? [String: Any]
            let firstID = try #require(first?["id"] as? String)
            let second = Self.campaign(container: container.name, port: port, name: "second")
            let refused = try await daemon.call("POST", "/v1/runs", body: Self.submitJSON(second))
            #expect(refused.status == 409 && refused.body.contains("run \(firstID) (first, running) acts on \(container.name)"), "\(refused)")
            let queued = try await daemon.json("POST", "/v1/runs", body: Self.submitJSON(second, queue: true)) as? [String: Any]
            let queuedID = try #require(queued?["id"] as? String)
            #expect(queued?["status"] as? String == "queued")
            let firstEnd = try await daemon.waitForRun(firstID, in: ["held", "violated", "aborted", "failed"])
            #expect(firstEnd["status"] as? String == "held", "\(firstEnd)")
            let secondEnd = try await daemon.waitForRun(queuedID, in: ["held", "violated", "aborted", "failed"])
            #expect(secondEnd["status"] as? String == "held", "\(secondEnd)")
            let started = try #require(Timestamp.parse(secondEnd["started_at"] as? String ?? ""))
            let firstEnded = try #require(Timestamp.parse(firstEnd["ended_at"] as? String ?? ""))
            #expect(started >= firstEnded)
        }
    }

    // Aborting a running run reverts its fault at once and ends it `aborted`; a second abort is a clear 409.
    @Test func abortsARunAndRevertsIt() async throws {
        try await Self.withRedis { engine, container, port in
            let daemon = try await DaemonProcess()
            defer { Task { try? await daemon.stop() } }
            let text = Self.campaign(container: container.name, port: port, window: "60s")
            let id = try #require((try await daemon.json("POST", "/v1/runs", body: Self.submitJSON(text)) as? [String: Any])?["id"] as? String)
            for _ in 0..<100 where try await engine.inspectContainer(container.id).state.paused == false {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(try await engine.inspectContainer(container.id).state.paused == true)
            let abort = try await daemon.call("POST", "/v1/runs/\(id)/abort")
            #expect(abort.status == 202, "\(abort)")
            let ended = try await daemon.waitForRun(id, in: ["aborted"], timeout: .seconds(20))
            #expect((ended["reason"] as? String ?? "").contains("aborted through the API"))
            #expect(try await engine.inspectContainer(container.id).state.paused == false)
            let again = try await daemon.call("POST", "/v1/runs/\(id)/abort")
            #expect(again.status == 409 && again.body.contains("already ended"))
        }
    }
}
