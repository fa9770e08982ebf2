import Foundation
import TestSupport
import Testing

/// The commands that talk to the daemon, as a user runs them: exit codes and what they print.
@Suite(.serialized) struct DaemonCLITests {
    // submit --wait follows the run and exits with its verdict; runs, status and logs tell the
    // same story; a bad campaign or an unknown run is exit 2 with a clear line; schedules can be
    // added, listed and removed.
    @Test func commandsTalkToTheDaemon() async throws {
        try await DaemonAPITests.withRedis { _, container, port in
            let daemon = try await DaemonProcess()
            defer { Task { try? await daemon.stop() } }
            let state = ["--state-dir", daemon.stateDirectory]
            let file = NSTemporaryDirectory() + "fl-cli-" + UUID().uuidString + ".yaml"
            try DaemonAPITests.campaign(container: container.name, port: port).write(toFile: file, atomically: true, encoding: .utf8)

            let submitted = try await FaultlineProcess.run(["submit", file, "--wait"] + state)
            #expect(submitted.status == 0, "\(submitted.stdout)\(submitted.stderr)")
            #expect(submitted.stdout.contains("injected") && submitted.stdout.contains("held") && submitted.stdout.contains("junit.xml"))
            let id = try #require(submitted.stdout.split(separator: " ").firstIndex(of: "run").map { submitted.stdout.split(separator: " ")[$0 + 1] })

            let runs = try await FaultlineProcess.run(["runs", "--json"] + state)
            let list = try #require(try JSONSerialization.jsonObject(with: Data(runs.stdout.utf8)) as? [[String: Any]])
            #expect(list.first?["id"] as? String == String(id) && (list.first?["submitted_at"] as? String)?.hasSuffix("Z") == true, "\(runs.stdout)")
            let status = try await FaultlineProcess.run(["status", String(id)] + state)
            #expect(status.status == 0 && status.stdout.contains("held") && status.stdout.contains("probe redis:"), "\(status.stdout)")
            let logs = try await FaultlineProcess.run(["logs", String(id)] + state)
            #expect(logs.stdout.contains("reverted") && logs.stdout.contains("restored"), "\(logs.stdout)")

            let broken = NSTemporaryDirectory() + "fl-cli-" + UUID().uuidString + ".yaml"
            try DaemonAPITests.campaign(container: container.name, port: port).replacingOccurrences(of: "pause:", with: "paus:")
                .write(toFile: broken, atomically: true, encoding: .utf8)
            let refused = try await FaultlineProcess.run(["submit", broken] + state)
            #expect(refused.status == 2 && refused.stderr.contains("\(broken):14:27:") && refused.stderr.contains("did you mean 'pause'"), "\(refused.stderr)")
            let unknown = try await FaultlineProcess.run(["abort", "no-such-run"] + state)
            #expect(unknown.status == 2 && unknown.stderr.contains("no run 'no-such-run'"), "\(unknown.stderr)")

            let added = try await FaultlineProcess.run(["schedule", "add", file, "--every", "1h", "--name", "hourly"] + state)
            #expect(added.status == 0, "\(added.stderr)")
            let scheduleID = try #require(added.stdout.split(separator: " ").first { $0.hasPrefix("s-") })
            let listed = try await FaultlineProcess.run(["schedule", "list"] + state)
            #expect(listed.stdout.contains("hourly") && listed.stdout.contains("every 1h"), "\(listed.stdout)")
            #expect(try await FaultlineProcess.run(["schedule", "rm", String(scheduleID)] + state).status == 0)
            #expect(try await FaultlineProcess.run(["schedule", "list"] + state).stdout.contains("no schedules"))

            let gone = try await FaultlineProcess.run(["runs", "--state-dir", NSTemporaryDirectory() + "fl-none-" + UUID().uuidString])
            #expect(gone.status == 3 && gone.stderr.contains("no faultline daemon answers"), "\(gone.stderr)")
        }
    }
}
