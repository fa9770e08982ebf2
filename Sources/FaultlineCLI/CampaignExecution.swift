import ArgumentParser
import Campaign
import DockerEngine
import Faults
import FaultlineSupport
import Foundation

/// What `run` and `replay` share: connect, recover, plan (or re-resolve a past plan), run with
/// the live view, write the reports, exit with the verdict.
struct CampaignExecution {
    let global: GlobalOptions
    let json: Bool
    let runsDir: String
    /// Start the warden beside the run (the dead-man switch).
    var warden = true
    /// The fleet whose nodes' containers the campaign acts on (nil: this host's engine).
    var fleet: FleetDescription? = nil

    func execute(campaign: CampaignDefinition, source: String, file: String, dryRun: Bool, replaying: CampaignPlan?) async throws {
        let output = Output(json: json)
        let trap = SignalTrap()
        let context = try await CommandContext.make(global)
        let ledger = try context.ledger(global)
        let recovery = try await LedgerRecovery(environment: context.environment, ledger: ledger).recover()
        RecoveryPrinter.print(recovery, to: output, quietWhenEmpty: true)

        let view = LiveView(output: output)
        let agents = try fleet.map { try FleetAgents($0, engineCallTimeout: try global.engineCallTimeout(), logger: context.logger) }
        let runner = CampaignRunner(campaign: campaign, source: source, file: file, engine: context.engine, ledger: ledger,
                                    fleet: agents, logger: context.logger, emit: { view.handle($0) })
        let plan: CampaignPlan
        if let replaying { plan = try await runner.replayPlan(replaying) } else { plan = try await runner.plan() }
        if dryRun {
            PlanPrinter.print(plan, campaign: campaign, to: output)
            return
        }
        let directory = runsDir + "/" + Self.directoryName(campaign.name)
        trap.onSignal { runner.abort("interrupted by \(SignalTrap.name(trap.received ?? SIGINT))") }
        let guardian = warden ? WardenGuard(options: global) : nil
        defer { guardian?.stop() }
        output.event("run", "\(campaign.name): \(plan.faults.count) fault(s) on \(plan.containers.count) container(s); journal \(directory)/journal.jsonl",
                     fields: ["campaign": .string(campaign.name), "directory": .string(directory)])
        view.start()
        let result = try await runner.run(plan, directory: directory)
        view.stop()
        let written = try ReportWriter.write(result.record, figures: result.figures, to: directory)
        output.event(result.verdict.status.rawValue, result.verdict.reason,
                     fields: ["verdict": .string(result.verdict.status.rawValue), "reason": .string(result.verdict.reason),
                              "report": .string(directory + "/report.html")])
        if !json {
            for check in result.verdict.checks {
                output.line("  \(check.passed ? "pass" : "FAIL")  \(check.name)\(check.window.map { " — \($0)" } ?? ""): \(check.detail)")
            }
            output.line("reports: \(written.joined(separator: ", "))")
        }
        if let signal = trap.received { throw SignalTrap.exitCode(for: signal) }
        switch result.verdict.status {
        case .held: return
        case .violated: throw ExitCode(FaultlineExitCode.failed.rawValue)
        case .aborted: throw ExitCode(FaultlineExitCode.infrastructure.rawValue)
        }
    }

    /// `20261122-013512-redis-pause-1a2b`
    static func directoryName(_ name: String) -> String { RunDirectoryName.make(name) }
}

/// Prints an expanded plan (for `--dry-run`).
enum PlanPrinter {
    static func print(_ plan: CampaignPlan, campaign: CampaignDefinition, to output: Output) {
        if output.json {
            let faults = plan.faults.map { fault -> JSONValue in
                .object(["index": .integer(Int64(fault.index)), "at_ms": .number(fault.at.milliseconds),
                         "for_ms": fault.duration.map { .number($0.milliseconds) } ?? .null, "fault": .string(fault.fault.summary),
                         "target": .string(fault.fault.target), "container": .string(fault.container.name),
                         "node": fault.container.node.map { .string($0) } ?? .null, "origin": .string(fault.origin)])
            }
            output.line(JSONValue.object(["campaign": .string(campaign.name), "seed": .integer(Int64(bitPattern: plan.seed)),
                                          "faults": .array(faults)]).encoded())
            return
        }
        output.line("plan for '\(campaign.name)' (seed \(plan.seed)): \(plan.faults.count) fault(s) over \(DurationText.format(plan.length)); nothing is injected (--dry-run)")
        for (selector, containers) in plan.targets.sorted(by: { $0.key < $1.key }) {
            output.line("  target \(selector): \(containers.map(\.described).joined(separator: ", "))")
        }
        var rows = [["#", "AT", "FOR", "FAULT", "CONTAINER", "FROM"]]
        for fault in plan.faults {
            rows.append(["\(fault.index)", DurationText.format(fault.at), fault.duration.map(DurationText.format) ?? "one-shot",
                         fault.fault.summary, fault.container.described, fault.origin])
        }
        TextTable.print(rows, to: output)
    }
}
