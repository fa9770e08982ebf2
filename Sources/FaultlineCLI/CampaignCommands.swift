import ArgumentParser
import Campaign
import DockerEngine
import Faults
import FaultlineSupport
import Foundation

/// `faultline validate FILE…`: parse and check campaign files; nothing is run.
struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check campaign files: errors name the file, line, column, key and the allowed values.")

    @Argument(help: "Campaign files.") var files: [String]

    func run() async throws {
        var failed = false
        for file in files {
            do {
                let campaign = try CampaignParser.parse(file: file)
                let faults = campaign.timeline.reduce(0) { $0 + ($1.repeatRule?.times ?? 1) } + (campaign.chaos?.count ?? 0)
                Output(json: false).line("ok: \(file): '\(campaign.name)', \(faults) fault(s) on \(campaign.targets.count) target(s), \(campaign.probes.count) probe(s), \(campaign.hypothesis.checks.count) check(s)")
            } catch {
                Output.error(error.description)
                failed = true
            }
        }
        if failed { throw ExitCode(FaultlineExitCode.invalidInput.rawValue) }
    }
}

/// `faultline run FILE`: run a campaign, write its journal and reports, exit with its verdict.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a campaign: probes, steady state, faults, recovery figures, reports; exit code is the verdict.",
        discussion: "Exit codes: 0 hypothesis held, 1 violated (or steady state not met: nothing injected), 2 invalid campaign, 3 aborted or infrastructure error, 130/143 interrupted (everything reverted).")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The campaign file.") var file: String
    @OptionGroup var options: RunOptions
    @Option(name: .long, help: "Run the campaign this many times and report per check in how many it held (flaky when not all) and each figure's distribution.")
    var trials = 1
    @Option(name: .long, help: "How trials after the first are planned: replay (the first trial's plan) or reseed (seed + i - 1); default: the campaign's settings.trial_plan, else replay.")
    var trialPlan: String?

    func validate() throws {
        guard (1...100).contains(trials) else { throw ValidationError("--trials must be between 1 and 100, got \(trials)") }
        if let trialPlan, TrialPlan(rawValue: trialPlan) == nil {
            throw ValidationError("--trial-plan must be one of \(TrialPlan.allCases.map(\.rawValue).joined(separator: ", ")), got '\(trialPlan)'")
        }
    }

    func run() async throws {
        let campaign = try CampaignParser.parse(file: file)
        let source = String(decoding: FileManager.default.contents(atPath: file) ?? Data(), as: UTF8.self)
        try await CampaignExecution(global: global, json: options.json, runsDir: options.runsDir, warden: !options.noWarden, baseline: options.baseline,
                                    fleet: try options.fleet.load(), trials: trials, trialPlan: trialPlan.flatMap(TrialPlan.init(rawValue:)))
            .execute(campaign: campaign, source: source, file: file, dryRun: options.dryRun, replaying: nil)
    }
}

/// `faultline replay RUN_DIR`: run a past run's realized plan again (same containers by name, same offsets).
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Re-run the realized plan of a past run: same targets by name, same offsets and windows.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "A run directory (holding journal.jsonl).") var runDirectory: String
    @OptionGroup var options: RunOptions

    func run() async throws {
        let record: RunRecord
        do { record = try RunRecord.load(directory: runDirectory) } catch {
            throw CampaignRunError.replay("cannot read the journal in \(runDirectory): \(error)")
        }
        guard let plan = record.plan, !record.source.isEmpty else {
            throw CampaignRunError.replay("\(runDirectory)/journal.jsonl has no campaign or plan")
        }
        // The campaign as the run read it: the variables it had set must be set again (their
        // values are never recorded), the ones it did not have stay unset, CAMPAIGN_DIR as it was.
        var expansion = VariableExpansion.forCampaign(file: record.file)
        if let variables = record.variables {
            do {
                let replay = try variables.replayExpansion(today: ProcessInfo.processInfo.environment)
                expansion = replay.expansion
                for note in replay.notes { Output.note(note) }
            } catch {
                throw CampaignRunError.replay("cannot replay \(runDirectory): \(error)")
            }
        } else {
            Output.note("\(runDirectory) is from before journals recorded the campaign's variables: today's environment is used")
        }
        let campaign = try CampaignParser.parse(record.source, file: "\(runDirectory)/journal.jsonl (campaign \(record.file))", variables: expansion)
        try await CampaignExecution(global: global, json: options.json, runsDir: options.runsDir, warden: !options.noWarden, baseline: options.baseline,
                                    fleet: try options.fleet.load())
            .execute(campaign: campaign, source: record.source, file: record.file, dryRun: options.dryRun, replaying: plan)
    }
}

/// `faultline report RUN_DIR`: render a run's reports again from its journal.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Re-render a run's reports (JSON, JUnit, Markdown, HTML) from its journal.")

    @Argument(help: "A run directory (holding journal.jsonl).") var runDirectory: String

    func run() async throws {
        let directory = runDirectory.hasSuffix("/") && runDirectory.count > 1 ? String(runDirectory.dropLast()) : runDirectory
        let (record, written) = try ReportWriter.rewrite(directory: directory)
        let output = Output(json: false)
        output.line("\(record.name): \(record.verdict?.status.rawValue ?? "no verdict") — \(record.verdict?.reason ?? "")")
        written.forEach { output.line("  \($0)") }
    }
}

/// Options `run` and `replay` share.
struct RunOptions: ParsableArguments {
    @Flag(name: .long, help: "Print the expanded plan with resolved targets; inject nothing.") var dryRun = false
    @Option(name: .long, help: "Where run directories (journal and reports) go.") var runsDir = "faultline-runs"
    @Flag(name: .long, help: "One JSON object per event instead of the live view.") var json = false
    @Flag(name: .long, help: "Do not start the warden (which reverts this run's faults if faultline dies mid-run).") var noWarden = false
    @Option(name: .long, help: "A run (or trials) directory of the same campaign: a figure that got worse than there beyond noise fails the verdict, as faultline compare would.")
    var baseline: String?
    @OptionGroup var fleet: FleetOption
}
