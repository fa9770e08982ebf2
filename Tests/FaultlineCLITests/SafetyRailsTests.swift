import DockerEngine
import Faults
import Foundation
import TestSupport
import Testing

/// The rails that keep a campaign from hurting what it must not: each one exercised through the
/// real command against the real engine, with the engine's own event stream as the witness that
/// nothing was touched.
@Suite(.serialized) struct SafetyRailsTests {
    /// Runs `arguments` while recording every engine event of `containers`; returns the result and the events.
    static func watching(_ containers: [String], engine: DockerEngineClient, _ arguments: [String]) async throws -> (CommandRunner.Result, [String]) {
        let events = try engine.events(filters: ["container": containers])
        let collector = Task { () -> [String] in
            var seen: [String] = []
            do { for try await event in events { seen.append(event.action) } } catch {}
            return seen
        }
        try await Task.sleep(for: .milliseconds(100))
        let result = try await FaultlineProcess.run(arguments)
        try await Task.sleep(for: .milliseconds(300))
        collector.cancel()
        return (result, await collector.value)
    }

    static func campaign(targets: String, extra: String = "", fault: String = "{ pause: { target: a } }") -> String {
        """
        name: rails
        settings: { blast_radius: 1 }
        targets:
        \(targets)
        probes:
          - { name: tick, command: { argv: [/bin/true] }, every: 100ms }
        \(extra)
        timeline:
          - { at: 0s, fault: \(fault), for: 1s }
        """
    }

    // --dry-run resolves every target and prints the plan, and the engine sees no call that changes anything.
    @Test func dryRunInjectsNothing() async throws {
        let engine = try await TestEngine.client()
        try await withTestContainer(.init(purpose: "rails-dry"), engine: engine) { container in
            let file = try CampaignCommandTests.write(Self.campaign(targets: "  a: { name: \(container.name) }"))
            let state = NSTemporaryDirectory() + "fl-rails-" + UUID().uuidString
            let (result, events) = try await Self.watching([container.id], engine: engine, ["run", file, "--dry-run", "--state-dir", state])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("nothing is injected (--dry-run)") && result.stdout.contains(container.name))
            #expect(events.isEmpty, "the engine saw \(events)")
            #expect((try? FaultLedger(stateDirectory: state).entries())?.isEmpty ?? true)
        }
    }

    // A protected container, an empty selection, a blast radius too small, a stop condition on an
    // unknown probe: each refused with exit 2 and a line that says why, nothing touched.
    @Test func refusesWhatItMustNotTouch() async throws {
        let engine = try await TestEngine.client()
        try await withTestContainer(.init(purpose: "rails-a"), engine: engine) { first in
            try await withTestContainer(.init(purpose: "rails-vault", extraLabels: ["faultline.protect": "true"]), engine: engine) { vault in
              try await withTestContainer(.init(purpose: "rails-twin"), engine: engine) { _ in
                let cases: [(String, String)] = [
                    (Self.campaign(targets: "  a: { name: \(vault.name) }"), "matches no container that may be targeted"),
                    (Self.campaign(targets: "  a: { label: [rails=nothing-has-this] }"), "target 'a' (labels rails=nothing-has-this) matches no container"),
                    (Self.campaign(targets: "  a: { name: \(first.name) }\n  b: { name_regex: \"^fl-test-rails-(a|twin)-\" }",
                                   fault: "{ pause: { target: b } }"), "but settings.blast_radius allows 1"),
                    (Self.campaign(targets: "  a: { name: \(first.name) }", extra: "stop_when: [{ probe: tik, failing_for: 1s }]"),
                     "stop_when[0].probe: unknown probe 'tik'; did you mean 'tick'?"),
                ]
                for (text, expected) in cases {
                    let file = try CampaignCommandTests.write(text)
                    let (result, events) = try await Self.watching([first.id, vault.id], engine: engine,
                                                                    ["run", file, "--state-dir", NSTemporaryDirectory() + "fl-rails-" + UUID().uuidString])
                    #expect(result.status == 2, "\(expected): exit \(result.status) \(result.stderr)")
                    #expect(result.stderr.contains(expected), "\(result.stderr)")
                    #expect(events.isEmpty, "\(expected): the engine saw \(events)")
                }
              }
            }
        }
    }

    // Without a writable ledger nothing is injected: a read-only or a full state directory ends
    // the inject with exit 3 and one line naming the ledger, and the container is never paused.
    @Test(arguments: ["ro", "full"])
    func refusesWithoutAWritableLedger(_ mode: String) async throws {
        let engine = try await TestEngine.client()
        let mountPoint = NSTemporaryDirectory() + "fl-state-\(mode)-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        // mode=0700: a state directory others could write is refused for that reason alone.
        let options = mode == "ro" ? "ro,size=1m,mode=0700" : "size=64k,mode=0700"
        let mounted = try await CommandRunner.run(["/usr/bin/mount", "-t", "tmpfs", "-o", options, "tmpfs", mountPoint])
        try #require(mounted.status == 0, "mount: \(mounted.stderr)")
        defer { _ = try? FileManager.default.removeItem(atPath: mountPoint) }
        do {
            if mode == "full" {
                // Fill it up: the ledger's first record cannot be written.
                _ = try await CommandRunner.run(["/usr/bin/dd", "if=/dev/zero", "of=\(mountPoint)/filler", "bs=4k", "count=100"])
            }
            try await withTestContainer(.init(purpose: "rails-ledger"), engine: engine) { container in
                let (result, events) = try await Self.watching([container.id], engine: engine,
                                                                ["inject", "pause", container.name, "--for", "5s", "--state-dir", mountPoint])
                #expect(result.status == 3, "exit \(result.status): \(result.stdout)\(result.stderr)")
                #expect(result.stderr.contains("ledger"), "\(result.stderr)")
                #expect(!events.contains("pause"), "the engine saw \(events)")
                #expect(try await engine.inspectContainer(container.id).state.paused == false)
            }
        } catch {
            _ = try? await CommandRunner.run(["/usr/bin/umount", mountPoint])
            throw error
        }
        _ = try await CommandRunner.run(["/usr/bin/umount", mountPoint])
    }

    // An engine socket that is missing is one clear line naming it (exit 3), not a stack of errors.
    @Test func namesAMissingEngineSocket() async throws {
        let result = try await FaultlineProcess.run(["targets", "--engine", "unix:///run/faultline-no-such.sock"])
        #expect(result.status == 3)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains("/run/faultline-no-such.sock"), "\(result.stderr)")
    }
}
