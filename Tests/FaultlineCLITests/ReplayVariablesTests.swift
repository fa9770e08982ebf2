@testable import Campaign
import Foundation
import TestSupport
import Testing

/// `faultline replay` asks for the variables the run had set (by name; values are never in the
/// journal) and refuses, changing nothing, when one is missing — before any engine call.
@Suite struct ReplayVariablesTests {
    @Test func refusesWhenAVariableTheRunHadIsMissing() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("faultline-replay-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let source = """
            name: replay-vars
            targets:
              db: { name: db }
            probes:
              - { name: api, http: { url: "http://127.0.0.1:9/?t=${REPLAY_TOKEN_FOR_TEST}" } }
            timeline:
              - { at: 1s, fault: { pause: { target: db } }, for: 1s }
            """
        let records: [JournalRecord] = [
            .campaign(name: "replay-vars", file: "faults/replay-vars.yaml", source: source, startedAt: Date()),
            .variables(CampaignVariables(set: ["REPLAY_TOKEN_FOR_TEST"], unset: [], campaignDirectory: "faults")),
            .plan(CampaignPlan(seed: 1, faults: [], targets: [:])),
        ]
        let lines = try records.map { String(decoding: try Journal.encoder().encode($0), as: UTF8.self) }
        try (lines.joined(separator: "\n") + "\n").write(toFile: directory + "/journal.jsonl", atomically: true, encoding: .utf8)

        var environment = ProcessInfo.processInfo.environment
        environment["REPLAY_TOKEN_FOR_TEST"] = nil
        environment["DOCKER_HOST"] = "unix:///nonexistent/engine.sock"
        let refused = try await CommandRunner.run([FaultlineProcess.binaryPath, "replay", directory, "--dry-run"], environment: environment)
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr.contains("the run had ${REPLAY_TOKEN_FOR_TEST} set") && refused.stderr.contains("export it"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("engine"), "refused before any engine call: \(refused.stderr)")
    }
}
