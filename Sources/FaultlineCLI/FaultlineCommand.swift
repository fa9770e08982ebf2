import ArgumentParser
import DockerEngine

/// The `faultline` command: fault injection for containers that measures recovery and never
/// leaves a fault behind.
public struct FaultlineCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "faultline",
        abstract: "Inject faults into containers, measure recovery, never leave a fault behind.",
        discussion: """
            Exit codes: 0 ok, 1 a check failed, 2 invalid input, 3 engine or infrastructure error,
            130/143 interrupted by SIGINT/SIGTERM (after reverting everything injected).
            Shell completions: faultline --generate-completion-script bash|zsh|fish.
            """,
        version: FaultlineCommand.versionText,
        subcommands: [RunCommand.self, ValidateCommand.self, ReplayCommand.self, ReportCommand.self, CompareCommand.self, TargetsCommand.self, InjectCommand.self, RecoverCommand.self, ProbeCommand.self, ProxyCommand.self,
                      DaemonCommand.self, SubmitCommand.self, RunsCommand.self, StatusCommand.self, LogsCommand.self, AbortCommand.self,
                      ScheduleCommand.self, WardenCommand.self, CertsCommand.self, DNSResponderCommand.self, InterceptProxyCommand.self, PacketEngineCommand.self])

    /// faultline's release.
    public static let release = "0.4.0"

    /// `faultline --version`: the release, the commit it was built from, the engine API it speaks.
    static var versionText: String {
        "faultline \(release) (commit \(BuildInfo.commit)); Docker Engine API \(DockerEngineClient.oldestAPIVersion)–\(DockerEngineClient.newestAPIVersion), negotiated with the engine"
    }

    public init() {}
}
