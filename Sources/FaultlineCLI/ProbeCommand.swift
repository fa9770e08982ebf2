import ArgumentParser
import FaultlineSupport
import Foundation
import Probes

/// `faultline probe SPEC`: probe one thing continuously and summarise what was seen.
struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Probe a URL or command continuously; print each sample and a summary.",
        discussion: """
            SPEC is \(ProbeSpecParser.schemes).
            Examples:
              faultline probe redis://127.0.0.1:6381 --every 50ms
              faultline probe postgres://app@127.0.0.1:5435/app --query 'select 1'
              faultline probe http://127.0.0.1:8000/health --expect-status 200
              faultline probe ws://127.0.0.1:8000/ws --send '{"type":"ping"}' --expect pong
              faultline probe exec --every 1s -- /usr/bin/redis-cli -p 6381 ping
            Exit code: 0 when every sample was ok, 1 when any failed, 2 for an invalid spec.
            """)

    @Argument(help: "What to probe.") var spec: String
    @Option(name: .long, help: "How often (down to 10ms).") var every = "500ms"
    @Option(name: .customLong("for"), help: "How long; default until SIGINT/SIGTERM.") var duration: String?
    @Option(name: .long, help: "Per-check time-out.") var timeout = "1s"
    @Flag(name: .long, help: "One JSON object per sample, then one summary object.") var json = false
    @Option(name: .long, help: "Log level for the probe clients.") var logLevel = "warning"
    @OptionGroup var probe: ProbeOptions
    @Argument(parsing: .postTerminator, help: "exec: the command and its arguments.") var argv: [String] = []

    func run() async throws {
        let interval = try DurationText.parse(every)
        guard interval >= ProbeRunner.minimumInterval else { throw ValidationError("--every must be at least 10ms") }
        let limit = try timeout.isEmpty ? Duration.seconds(1) : DurationText.parse(timeout)
        guard limit > .zero else { throw ValidationError("--timeout must be longer than 0") }
        let runFor = try duration.map { try DurationText.parse($0) }
        let config = try ProbeSpecParser.parse(spec, options: try probe.parserOptions(argv: argv))
        let logger = try GlobalOptions.logger(level: logLevel)
        let instance = try config.makeProbe(name: spec == "exec" ? argv.joined(separator: " ") : spec, timeout: limit, logger: logger)

        let trap = SignalTrap()
        let runner = ProbeRunner([.init(probe: instance, every: interval)])
        runner.start(for: runFor)
        trap.onSignal { Task { await runner.stop() } }
        var printer = ProbePrinter(output: Output(json: json), fastestInterval: interval)
        var stats = ProbeStatistics()
        for await sample in runner.samples {
            stats.record(sample)
            printer.print(sample)
        }
        printer.flush()
        stats.finish()
        let summary = ProbePrinter.summary(instance.name, stats)
        Output(json: json).line(json ? summary.json.encoded() : summary.text)
        if stats.failures > 0 { throw ExitCode(FaultlineExitCode.failed.rawValue) }
    }
}
