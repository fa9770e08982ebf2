@testable import Campaign
import Faults
import Foundation
import TestSupport
import Testing

/// report.json keeps to its published JSON Schema (schema/report.schema.json), checked by an
/// independent validator (Python's jsonschema, Draft 2020-12) on a report that has every field.
@Suite struct ReportSchemaTests {
    static let path = CampaignSchemaTests.root.appendingPathComponent("schema/report.schema.json").path

    /// A record with every optional part present: a failed window, a Swarm reschedule, a probe on a
    /// node, an affected and an unaffected probe.
    static func fullReport() -> String {
        var record = RunRecord()
        record.name = "full"
        record.file = "full.yaml"
        var failed = FaultWindow(index: 2, kind: .kill, summary: "kill", selector: "web", container: "web.1.x", node: "n2", injectAt: .milliseconds(2500))
        failed.error = "engine said no"
        failed.outcome = "nothing to revert"
        var reschedule = Reschedule(service: "web", slot: 1, oldTask: "t1")
        reschedule.newTask = "t2"
        reschedule.node = "n1"
        reschedule.seenAfter = .milliseconds(900)
        reschedule.swarmAfter = .milliseconds(850)
        failed.reschedule = reschedule
        var packet = FaultWindow(index: 3, kind: .packet, summary: "packet rate 1mbit both", selector: "db", container: "db", injectAt: .milliseconds(2800))
        var counts = PacketCounts()
        counts.seen = 40
        counts.delayed = 30
        counts.rateLimited = 12
        counts.mostHeld = 7
        counts.mostHeldBytes = 9000
        packet.outcome = RevertOutcome.restoredCounting(counts).description
        packet.packets = counts
        record.windows = [AnalysisTests.window(), failed, packet]
        record.samples = AnalysisTests.samples()
        record.nodeProbes = [NodeProbe(probe: "api", node: "n2", clock: ClockOffset(offset: .milliseconds(3), uncertainty: .microseconds(400)))]
        record.verdict = CampaignVerdict(status: .violated, reason: "r", checks: [
            CheckResult(name: "steady state", window: nil, passed: true, detail: "held"),
            CheckResult(name: "api recover_within 500ms", window: "#1 pause on db", passed: false, detail: "late"),
        ])
        var samples = AnalysisTests.samples()
        samples["calm"] = stride(from: 0, through: 3000, by: 100).map { sample("calm", $0, .ok) }
        let figures = WindowAnalysis.figures(windows: [AnalysisTests.window()], samples: samples, probes: ["api", "calm"], runEnd: .seconds(3), consecutive: 3)
        return JSONReport.render(record, figures: figures)
    }

    // A report with every field validates; so does the schema itself against its metaschema.
    @Test func fullReportValidates() async throws {
        let report = Self.fullReport()
        for field in ["onset_ms", "recovered_ms", "downtime_ms", "\"unaffected\" : true", "reschedule", "clock_offset_ms", "\"error\"", "\"rate_limited\" : 12", "\"most_held_bytes\" : 9000"] {
            #expect(report.contains(field), "the sample report lacks \(field): the test would not cover it")
        }
        let result = try await Self.validate(report)
        #expect(result.status == 0, "report.json does not keep to schema/report.schema.json: \(result.stdout) \(result.stderr.suffix(800))")
    }

    // The validator is real: a report with a field the schema does not describe, or a wrong type, fails.
    @Test func validatorRejectsWhatTheSchemaDoesNotDescribe() async throws {
        let extra = Self.fullReport().replacingOccurrences(of: "\"retries\" :", with: "\"surprise\" : 1, \"retries\" :")
        #expect(try await Self.validate(extra).status != 0)
        let wrongType = Self.fullReport().replacingOccurrences(of: "\"unaffected\" : true", with: "\"unaffected\" : \"yes\"")
        #expect(try await Self.validate(wrongType).status != 0)
    }

    static func validate(_ report: String) async throws -> CommandRunner.Result {
        let file = NSTemporaryDirectory() + "fl-report-\(UUID().uuidString).json"
        try report.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let script = """
        import json, sys, jsonschema
        schema = json.load(open(sys.argv[1]))
        jsonschema.Draft202012Validator.check_schema(schema)
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in jsonschema.Draft202012Validator(schema).iter_errors(json.load(open(sys.argv[2])))]
        print("\\n".join(errors))
        sys.exit(1 if errors else 0)
        """
        return try await CommandRunner.run(["/usr/bin/python3", "-c", script, path, file])
    }
}
