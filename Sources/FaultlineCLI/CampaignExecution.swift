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
    /// `--baseline DIR`: the run (or trials) this one is compared with as part of its verdict.
    var baseline: String? = nil
    /// The fleet whose nodes' containers the campaign acts on (nil: this host's engine).
    var fleet: FleetDescription? = nil
    /// `run --trials N`: the campaign this many times, then what the trials say together.
    var trials = 1
    /// Overrides the campaign's `settings.trial_plan`.
    var trialPlan: TrialPlan? = nil

    func execute(campaign: CampaignDefinition, source: String, file: String, dryRun: Bool, replaying: CampaignPlan?) async throws {
        let output = Output(json: json)
        let comparedWith: Baseline?
        do { comparedWith = try baseline.map { try Baseline.load($0) } } catch {
            Output.error("--baseline: \(error)")
            throw ExitCode(FaultlineExitCode.invalidInput.rawValue)
        }
        let trap = SignalTrap()
        let context = try await CommandContext.make(global)
        let ledger = try context.ledger(global)
        let recovery = try await LedgerRecovery(environment: context.environment, ledger: ledger).recover()
        RecoveryPrinter.print(recovery, to: output, quietWhenEmpty: true)

        let view = LiveView(output: output)
        let agents = try fleet.map { try FleetAgents($0, engineCallTimeout: try global.engineCallTimeout(), logger: context.logger) }
        // Trials are compared with the baseline as a set, once they all ran; a single run as itself.
        let runner = CampaignRunner(campaign: campaign, source: source, file: file, engine: context.engine, ledger: ledger,
                                    fleet: agents, baseline: trials > 1 ? nil : comparedWith, logger: context.logger, emit: { view.handle($0) })
        let plan: CampaignPlan
        if let replaying { plan = try await runner.replayPlan(replaying) } else { plan = try await runner.plan() }
        do { try comparedWith?.check(plan: plan) } catch {
            Output.error("--baseline: \(error)")
            throw ExitCode(FaultlineExitCode.invalidInput.rawValue)
        }
        if dryRun {
            PlanPrinter.print(plan, campaign: campaign, to: output)
            return
        }
        trap.onSignal { runner.abort("interrupted by \(SignalTrap.name(trap.received ?? SIGINT))") }
        let guardian = warden ? WardenGuard(options: global) : nil
        defer { guardian?.stop() }
        await guardian?.launched()
        if trials > 1 {
            try await runTrials(campaign: campaign, source: source, file: file, first: (runner, plan), baseline: comparedWith, view: view, output: output, trap: trap,
                                make: { campaign in CampaignRunner(campaign: campaign, source: source, file: file, engine: context.engine, ledger: ledger,
                                                                   fleet: agents, logger: context.logger, emit: { view.handle($0) }) })
            return
        }
        let directory = runsDir + "/" + Self.directoryName(campaign.name)
        let result = try await runOnce(runner, plan: plan, campaign: campaign, directory: directory, view: view, output: output)
        if let signal = trap.received { throw SignalTrap.exitCode(for: signal) }
        switch result.verdict.status {
        case .held: return
        case .violated: throw ExitCode(FaultlineExitCode.failed.rawValue)
        case .aborted: throw ExitCode(FaultlineExitCode.infrastructure.rawValue)
        }
    }

    /// One run: live view, journal, reports, the verdict's lines.
    private func runOnce(_ runner: CampaignRunner, plan: CampaignPlan, campaign: CampaignDefinition, directory: String, view: LiveView,
                         output: Output) async throws -> RunResult {
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
            result.verdict.checks.forEach { Self.print($0, to: output) }
            output.line("reports: \(written.joined(separator: ", "))")
        }
        return result
    }

    /// `--trials N`: the runs go into one directory (`trial-1` … `trial-N`), then `trials.md` and
    /// `trials.json` say what they say together. Exit 0 only when every check held in every trial;
    /// a trial the steady state or a stop condition cut short counts as not holding its checks.
    private func runTrials(campaign: CampaignDefinition, source: String, file: String, first: (CampaignRunner, CampaignPlan), baseline: Baseline?, view: LiveView,
                           output: Output, trap: SignalTrap, make: (CampaignDefinition) -> CampaignRunner) async throws {
        let planning = trialPlan ?? campaign.settings.trialPlan
        let directory = runsDir + "/" + Self.directoryName(campaign.name + "-trials")
        var compared: [ComparedRun] = []
        var directories: [String] = []
        var aborted = false
        for trial in 1...trials {
            let (runner, plan): (CampaignRunner, CampaignPlan)
            if trial == 1 {
                (runner, plan) = first
            } else if planning == .replay {
                runner = make(campaign)
                plan = try await runner.replayPlan(first.1)
            } else {
                var reseeded = campaign
                reseeded.seed = campaign.seed &+ UInt64(trial - 1)
                runner = make(reseeded)
                plan = try await runner.plan()
            }
            trap.onSignal { runner.abort("interrupted by \(SignalTrap.name(trap.received ?? SIGINT))") }
            output.event("trial", "trial \(trial) of \(trials) (\(planning == .replay ? "the first trial's plan" : "seed \(plan.seed)"))",
                         fields: ["trial": .integer(Int64(trial)), "trials": .integer(Int64(trials))])
            let trialDirectory = directory + "/trial-\(trial)"
            let result = try await runOnce(runner, plan: plan, campaign: campaign, directory: trialDirectory, view: view, output: output)
            compared.append(ComparedRun(record: result.record, figures: result.figures))
            directories.append(trialDirectory)
            if let signal = trap.received { throw SignalTrap.exitCode(for: signal) }
            aborted = aborted || result.verdict.status == .aborted
        }
        var summary = TrialSummary.of(compared.map { ($0.record.verdict?.checks ?? [], $0.figures) })
        if let baseline { summary = summary.adding(setChecks: baseline.checks(candidate: compared)) }
        let files = [("trials.md", TrialReport.markdown(summary, name: campaign.name, plan: planning)),
                     ("trials.json", TrialReport.json(summary, name: campaign.name, plan: planning, runs: directories))]
        for (name, content) in files {
            do { try content.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8) } catch {
                throw CampaignRunError.journal("cannot write \(directory)/\(name): \(error.localizedDescription)")
            }
        }
        let flaky = summary.checks.filter { $0.status == "flaky" }, failed = summary.checks.filter { $0.status == "failed" }
        output.event(summary.held ? "held" : "violated",
                     summary.held ? "every check held in all \(trials) trials" : "\(failed.count) check(s) failed in every trial, \(flaky.count) flaky (held in some trials only)",
                     fields: ["trials": .integer(Int64(trials)), "flaky": .integer(Int64(flaky.count)), "failed": .integer(Int64(failed.count)),
                              "report": .string(directory + "/trials.md")])
        if !output.json {
            TextTable.print(TrialReport.checkRows(summary), to: output)
            TextTable.print(TrialReport.figureRows(summary), to: output)
            summary.setChecks.forEach { Self.print($0, to: output) }
            output.line("trials: \(directory)/trials.md, \(directory)/trials.json")
        }
        if aborted && summary.held { throw ExitCode(FaultlineExitCode.infrastructure.rawValue) }
        if !summary.held { throw ExitCode(FaultlineExitCode.failed.rawValue) }
    }

    /// `  FAIL  health recover_within 10s — #1 stop on redis: …`
    static func print(_ check: CheckResult, to output: Output) {
        output.line("  \(check.passed ? "pass" : "FAIL")  \(check.name)\(check.window.map { " — \($0)" } ?? ""): \(check.detail)")
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
