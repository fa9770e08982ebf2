import ArgumentParser
import Campaign
import Daemon
import FaultlineSupport
import Foundation

/// `faultline submit FILE [--wait]`: hand a campaign to the daemon.
struct SubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Submit a campaign to the daemon; with --wait, follow it and exit with the verdict (as `run`).",
        discussion: "The daemon validates and plans it first: a bad campaign is refused (exit 2) and nothing starts. Variables the file refers to (${NAME}) are sent from this shell's environment.")

    @OptionGroup var daemon: DaemonOptions
    @Argument(help: "The campaign file.") var file: String
    @Flag(name: .long, help: "Follow the run's events and exit with its verdict: 0 held, 1 violated, 3 aborted.") var wait = false
    @Flag(name: .long, help: "Wait behind a conflicting run (same containers) instead of being refused.") var queue = false
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() async throws {
        let upload = try CampaignUpload(file: file)
        let request = SubmitRequest(campaign: upload.text, file: upload.path, variables: upload.variables, queue: queue)
        let client = try daemon.client()
        let body = Array(JSONCoding.encode(request))
        let run = try await client.call("POST", "/v1/runs", body: body, as: RunSummary.self)
        let output = Output(json: json)
        output.event("submitted", "run \(run.id) (\(run.campaign)): \(run.status.rawValue), \(run.faults) fault(s) on \(run.containers.joined(separator: ", "))"
                     + (run.reason.map { " — \($0)" } ?? ""), fields: ["run": .string(run.id), "status": .string(run.status.rawValue)])
        guard wait else { return }
        try await RunFollower(client: client, output: output).follow(run.id)
        let ended = try await client.call("GET", "/v1/runs/\(run.id)", as: RunDetail.self)
        RunPrinter.verdict(ended, to: output)
        if ended.run.status.exitCode != .ok { throw ExitCode(ended.run.status.exitCode.rawValue) }
    }
}

/// `faultline runs`: what the daemon ran and runs.
struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "runs", abstract: "List the daemon's runs, newest last.")

    @OptionGroup var daemon: DaemonOptions
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() async throws {
        let runs = try await daemon.client().call("GET", "/v1/runs", as: [RunSummary].self)
        let output = Output(json: json)
        if json {
            output.line(String(decoding: JSONCoding.encode(runs), as: UTF8.self))
            return
        }
        guard !runs.isEmpty else {
            output.line("no runs yet (`faultline submit FILE`)")
            return
        }
        var rows = [["RUN", "CAMPAIGN", "STATUS", "SUBMITTED", "CONTAINERS", "REASON"]]
        for run in runs {
            rows.append([run.id, run.campaign, run.status.rawValue, Timestamp.iso8601(run.submittedAt), run.containers.joined(separator: ","),
                         String((run.reason ?? "").prefix(70))])
        }
        TextTable.print(rows, to: output)
    }
}

/// `faultline status RUN`: one run, live.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show one daemon run: status, live figures, windows, checks.")

    @OptionGroup var daemon: DaemonOptions
    @Argument(help: "The run id (`faultline runs`).") var run: String
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() async throws {
        let client = try daemon.client()
        if json {
            let (status, body) = try await client.request("GET", "/v1/runs/\(run)")
            try DaemonClient.check(status, body)
            Output(json: true).line(String(decoding: body, as: UTF8.self))
            return
        }
        RunPrinter.detail(try await client.call("GET", "/v1/runs/\(run)", as: RunDetail.self), to: Output(json: false))
    }
}

/// `faultline logs RUN [--follow]`: a run's story.
struct LogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logs", abstract: "Print a daemon run's events; --follow keeps printing until it ends.")

    @OptionGroup var daemon: DaemonOptions
    @Argument(help: "The run id.") var run: String
    @Flag(name: .shortAndLong, help: "Follow live until the run ends (otherwise print what happened so far).") var follow = false
    @Flag(name: .long, help: "Print JSON lines.") var json = false

    func run() async throws {
        let output = Output(json: json)
        let client = try daemon.client()
        if follow {
            try await RunFollower(client: client, output: output).follow(run)
        } else {
            try await RunFollower(client: client, output: output).follow(run, untilNow: true)
        }
    }
}

/// `faultline abort RUN`.
struct AbortCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "abort", abstract: "Abort a daemon run: everything it injected is reverted.")

    @OptionGroup var daemon: DaemonOptions
    @Argument(help: "The run id.") var run: String

    func run() async throws {
        let summary = try await daemon.client().call("POST", "/v1/runs/\(run)/abort", as: RunSummary.self)
        Output(json: false).event("aborting", "run \(summary.id) (\(summary.campaign)): \(summary.status.rawValue)")
    }
}

/// Prints a run's events from the daemon's stream.
struct RunFollower {
    let client: DaemonClient
    let output: Output

    /// Prints every event; returns when the run ends (or, `untilNow`, once the events so far are printed).
    func follow(_ id: String, untilNow: Bool = false) async throws {
        if untilNow {
            let detail = try await client.call("GET", "/v1/runs/\(id)", as: RunDetail.self)
            guard !detail.run.status.isFinished else {
                try await stream(id)
                return
            }
            // A live run's stream does not end by itself: read what it has for a moment.
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await stream(id) }
                group.addTask { try await Task.sleep(for: .milliseconds(300)) }
                try await group.next()
                group.cancelAll()
            }
            return
        }
        try await stream(id)
    }

    private func stream(_ id: String) async throws {
        let decoder = DaemonClient.decoder
        let output = output
        try await client.follow("/v1/runs/\(id)/events") { data in
            guard let line = try? decoder.decode(RunEventLine.self, from: Data(data)) else { return }
            output.event(line.event, line.text, fields: ["run": .string(id)], at: line.at)
        }
    }
}

/// Prints a run's detail and verdict.
enum RunPrinter {
    static func detail(_ detail: RunDetail, to output: Output) {
        let run = detail.run
        output.line("run \(run.id): \(run.campaign) — \(run.status.rawValue)" + (run.reason.map { ": \($0)" } ?? ""))
        output.line("  submitted \(Timestamp.iso8601(run.submittedAt))" + (run.startedAt.map { ", started \(Timestamp.iso8601($0))" } ?? "")
                    + (run.endedAt.map { ", ended \(Timestamp.iso8601($0))" } ?? ""))
        output.line("  phase: \(detail.phase); containers: \(run.containers.joined(separator: ", ")); journal: \(run.directory ?? "-")")
        for (name, probe) in detail.probes.sorted(by: { $0.key < $1.key }) {
            output.line(String(format: "  probe %@: %d checks, %d failed (%.1f%%), last %@", name, probe.samples, probe.failures,
                               probe.errorRate * 100, probe.lastOutcome ?? "-"))
        }
        for window in detail.windows {
            let state = window.error.map { "FAILED: \($0)" } ?? window.outcome ?? (window.injectedAtMS != nil ? "injected" : "injecting")
            output.line("  #\(window.index) \(window.summary) on \(window.container): \(state)")
        }
        verdict(detail, to: output)
    }

    static func verdict(_ detail: RunDetail, to output: Output) {
        for check in detail.checks {
            output.line("  \(check.passed ? "pass" : "FAIL")  \(check.name)\(check.window.map { " — \($0)" } ?? ""): \(check.detail)")
        }
        if !detail.reports.isEmpty, let directory = detail.run.directory {
            output.line("reports: " + detail.reports.map { directory + "/" + $0 }.joined(separator: ", "))
        }
    }
}
