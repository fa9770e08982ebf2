import ArgumentParser
import Campaign
import Daemon
import FaultlineSupport
import Foundation

/// `faultline schedule add|list|rm`: recurring campaigns in the daemon.
struct ScheduleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Recurring campaigns run by the daemon (cron in UTC or a fixed interval, optional jitter).",
        subcommands: [Add.self, List.self, Remove.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a schedule.")

        @OptionGroup var daemon: DaemonOptions
        @Argument(help: "The campaign file.") var file: String
        @Option(name: .long, help: "Cron expression, five fields in UTC (\"*/15 * * * *\") or @hourly, @daily….") var cron: String?
        @Option(name: .long, help: "Fixed interval instead of cron: 10m, 1h.") var every: String?
        @Option(name: .long, help: "Delay each firing by a random 0…JITTER.") var jitter: String?
        @Option(name: .long, help: "A name (default: the campaign's).") var name: String?
        @Flag(name: .long, help: "Fire even while the previous run of this schedule still goes (it then queues behind it).") var allowOverlap = false

        func run() async throws {
            let upload = try CampaignUpload(file: file)
            let request = ScheduleRequest(name: name, campaign: upload.text, file: upload.path, variables: upload.variables, cron: cron, every: every,
                                          jitter: jitter, skipIfRunning: !allowOverlap)
            let schedule = try await daemon.client().call("POST", "/v1/schedules", body: Array(JSONCoding.encode(request)),
                                                        as: ScheduleListing.self)
            Output(json: false).event("scheduled", "\(schedule.id) (\(schedule.name)): next run \(schedule.nextRun.map(Timestamp.iso8601) ?? "never")")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the schedules.")
        @OptionGroup var daemon: DaemonOptions

        func run() async throws {
            let schedules = try await daemon.client().call("GET", "/v1/schedules", as: [ScheduleListing].self)
            let output = Output(json: false)
            guard !schedules.isEmpty else {
                output.line("no schedules (`faultline schedule add FILE --every 1h`)")
                return
            }
            var rows = [["ID", "NAME", "WHEN", "NEXT RUN", "RUNS", "SKIPPED", "LAST"]]
            for schedule in schedules {
                let when = schedule.cron.map { "cron \($0)" } ?? "every \(DurationText.format(.seconds(schedule.everySeconds ?? 0)))"
                rows.append([schedule.id, schedule.name, when + (schedule.jitterSeconds > 0 ? " ±\(DurationText.format(.seconds(schedule.jitterSeconds)))" : ""),
                             schedule.disabled == nil ? (schedule.nextRun.map(Timestamp.iso8601) ?? "-") : "DISABLED", "\(schedule.runs)", "\(schedule.skipped)",
                             String((schedule.disabled ?? schedule.lastOutcome ?? "-").prefix(80))])
            }
            TextTable.print(rows, to: output)
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove a schedule (its running run goes on).")
        @OptionGroup var daemon: DaemonOptions
        @Argument(help: "The schedule id.") var id: String

        func run() async throws {
            let schedule = try await daemon.client().call("DELETE", "/v1/schedules/\(id)", as: ScheduleListing.self)
            Output(json: false).event("removed", "\(schedule.id) (\(schedule.name))")
        }
    }
}
