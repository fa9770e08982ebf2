import ArgumentParser

/// The `faultline` command: fault injection for containers that measures recovery and never
/// leaves a fault behind.
public struct FaultlineCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "faultline",
        abstract: "Inject faults into containers, measure recovery, never leave a fault behind.",
        discussion: """
            Exit codes: 0 ok, 1 a check failed, 2 invalid input, 3 engine or infrastructure error,
            130/143 interrupted by SIGINT/SIGTERM (after reverting everything injected).
            """,
        subcommands: [RunCommand.self, ValidateCommand.self, ReplayCommand.self, ReportCommand.self, TargetsCommand.self, InjectCommand.self, RecoverCommand.self, ProbeCommand.self, ProxyCommand.self, BenchCommand.self,
                      DaemonCommand.self, SubmitCommand.self, RunsCommand.self, StatusCommand.self, LogsCommand.self, AbortCommand.self,
                      ScheduleCommand.self, WardenCommand.self])

    public init() {}
}
