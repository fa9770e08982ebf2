import ArgumentParser
import Campaign
import DockerEngine
import Faults
import FaultlineSupport
import Foundation
import Logging

/// `faultline inject KIND TARGET`: one fault, now, for a window; reverted at the end of the window
/// or at once on SIGINT/SIGTERM.
struct InjectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inject",
        abstract: "Inject one fault into a container now and revert it when the window ends.",
        usage: "faultline inject KIND TARGET [--for DURATION] [kind options] [--probe SPEC] [--json]",
        discussion: InjectHelp.text)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Fault kind: \(FaultKind.allCases.filter(\.actsOnContainer).map(\.rawValue).joined(separator: ", ")).") var kindName: String
    @Argument(help: "Container name, id (prefix) or compose service.") var target: String
    /// The kind's own options (`--cpus 0.2`), read by the kind's definition; listed below per kind.
    @Argument(parsing: .allUnrecognized, help: .hidden) var kindOptions: [String] = []

    @Option(name: .customLong("for"), help: "How long the fault lasts, e.g. 500ms, 30s, 1m.") var window: String?
    @Option(name: .long, help: "Longest a revert may take before it is reported as failed.") var revertTimeout: String = "30s"
    @Option(name: .long, help: "Probe this during the fault and report time to detect / recover (a probe spec, repeatable).")
    var probe: [String] = []
    @Option(name: .long, help: "How often the probes run.") var probeEvery = "100ms"
    @Option(name: .long, help: "Per-check time-out of the probes.") var probeTimeout = "500ms"
    @Option(name: .long, help: "How long to keep probing after the revert for the probes to recover.") var recoverWithin = "30s"
    @Flag(name: .long, help: "One JSON object per event.") var json = false
    @Option(name: .long, help: "Inject through the faultline agent of this fleet node; it reverts the fault when the window ends, also if this command dies.")
    var node: String?
    @OptionGroup var fleet: FleetOption
    @Flag(name: .long, help: "Do not start the warden beside a windowed fault: a SIGKILL of this command then leaves the fault until `faultline recover`.")
    var noWarden = false

    /// The validated request: the fault and its window.
    struct Plan {
        let parameters: any FaultParameters
        let window: Duration?
        var action: any FaultAction { parameters.action(hasWindow: window != nil) }
    }

    func validatedPlan() throws -> Plan {
        let kind = try Self.kind(named: kindName)
        switch kind.subject {
        case .container: break
        case .proxy:
            throw ValidationError("toxics act on a TCP proxy, not a container: run `faultline proxy --listen PORT --upstream HOST:PORT --toxic SPEC`, or give a campaign a 'proxies' section and a toxic window")
        case .swarmNode:
            throw ValidationError("\(kind.rawValue) acts on a Swarm node, not a container: give it in a campaign's timeline ({ \(kind.rawValue): { node: NODE } } with 'for'), run against a Swarm manager's engine or with --fleet, where the plan checks the node first")
        }
        let window = try self.window.map { text throws -> Duration in
            let parsed = try DurationText.parse(text)
            guard parsed > .zero else { throw ValidationError("--for must be longer than 0") }
            return parsed
        }
        let parameters = try KindOptions.read(kindOptions, for: kind)
        switch kind.definition.window {
        case .required where window == nil:
            throw ValidationError("\(kind.rawValue) needs --for DURATION (e.g. --for 30s): it is reverted when the window ends")
        case .none where window != nil:
            throw ValidationError("restart is one-shot and takes no --for; use stop --for DURATION to keep it down")
        default: break
        }
        return Plan(parameters: parameters, window: window)
    }

    /// The fault kind for a name, or one line naming the allowed kinds (and the closest one).
    static func kind(named name: String) throws -> FaultKind {
        if let kind = FaultKind(rawValue: name.lowercased()) { return kind }
        let hint = NameSuggestions.closest(to: name, among: FaultKind.allCases.map(\.rawValue), limit: 1)
        let didYouMean = hint.first.map { "; did you mean '\($0)'?" } ?? ""
        throw ValidationError("unknown fault kind '\(name)'\(didYouMean) (kinds: \(FaultKind.allowedList))")
    }

    func run() async throws {
        let plan = try validatedPlan()
        let kind = plan.action.kind
        let revertLimit = try DurationText.parse(revertTimeout)
        let output = Output(json: json)
        let trap = SignalTrap()
        let logger = try global.makeLogger()
        let session = try probe.isEmpty ? nil : ProbeSession(
            specs: probe, every: try DurationText.parse(probeEvery), timeout: try DurationText.parse(probeTimeout),
            logger: logger, output: output)
        let recoveryLimit = try DurationText.parse(recoverWithin)
        // A windowed fault held here is watched by the warden, as a run's are: should this command
        // die (SIGKILL, OOM), the warden reverts it at once instead of leaving it to `recover`.
        // Launched now, beside the engine handshake and the target lookup; the inject waits for it.
        // It stays a minute once idle, so the next inject of an on-call session finds it watching
        // and starts none. Through an agent, the agent's own warden and the fault's deadline do that.
        let guardian = node == nil && plan.window != nil && !noWarden ? WardenGuard(options: global, linger: Self.wardenLinger) : nil
        defer { guardian?.stop() }
        let path: any InjectionPath
        if let node {
            path = try agentPath(node: node, kind: kind, window: plan.window)
        } else {
            path = try await localPath(plan: plan, revertLimit: revertLimit, trap: trap, output: output, logger: logger)
        }
        if let early = trap.received {
            output.event("interrupt", "\(SignalTrap.name(early)) received before the inject: nothing injected")
            throw SignalTrap.exitCode(for: early)
        }
        await guardian?.launched()
        if let session {
            session.start()
            await session.awaitBaseline(limit: .seconds(3))
        }
        let injectAt = session?.now ?? .zero
        let fault = try await path.inject()
        let windowText = plan.window.map { " for \(DurationText.format($0))" } ?? ""
        output.event("injected", "\(fault.summary) on \(fault.target) \(fault.whereabouts)\(windowText) [\(Self.millis(fault.injectDuration))]",
                     fields: ["fault_id": .string(fault.id), "kind": .string(kind.rawValue), "target": .string(fault.target),
                              "target_id": .string(fault.targetID), "node": node.map { .string($0) } ?? .null,
                              "window_ms": plan.window.map { .number($0.milliseconds) } ?? .null,
                              "inject_ms": .number(fault.injectDuration.milliseconds)],
                     at: fault.injectedAt)

        let interrupted: Int32?
        if let window = plan.window {
            interrupted = await trap.sleep(for: window)
        } else {
            interrupted = trap.received
        }
        if let interrupted {
            output.event("interrupt", "\(SignalTrap.name(interrupted)) received: reverting now", fields: ["signal": .string(SignalTrap.name(interrupted))])
        }
        let revertAt = session?.now ?? .zero
        let ended = await path.revert(fault)
        let elapsed = ended.revertedAt.timeIntervalSince(fault.injectedAt)
        if let outcome = ended.outcome {
            let verb = ended.nothingToRevert ? "done" : "reverted"
            output.event(verb, "\(fault.summary) on \(fault.target) after \(DurationText.format(.seconds(elapsed))): \(outcome) [\(Self.millis(ended.duration))]",
                         fields: ["fault_id": .string(fault.id), "outcome": .string(outcome),
                                  "revert_ms": .number(ended.duration.milliseconds), "elapsed_ms": .number(elapsed * 1000)],
                         at: ended.revertedAt)
        } else {
            let failure = ended.failure ?? "unknown failure"
            output.event("failed", "revert of \(fault.summary) on \(fault.target) FAILED: \(failure)",
                         fields: ["fault_id": .string(fault.id), "error": .string(failure)], at: ended.revertedAt)
            throw ExitCode(FaultlineExitCode.infrastructure.rawValue)
        }
        if let interrupted {
            throw SignalTrap.exitCode(for: interrupted)
        }
        if let session {
            await session.awaitRecovery(after: revertAt, limit: recoveryLimit)
            var unrecovered = false
            for (name, analysis) in await session.finish(injectAt: injectAt, revertAt: revertAt) {
                unrecovered = unrecovered || analysis.timeToRecover == nil
                let impact = analysis.impact
                output.event("measured", ProbeSession.describe(name, analysis), fields: [
                    "probe": .string(name),
                    "unaffected": .bool(analysis.unaffected),
                    "onset_ms": impact.map { .number($0.onset.estimate.milliseconds) } ?? .null,
                    "onset_uncertainty_ms": impact.map { .number($0.onset.uncertainty.milliseconds) } ?? .null,
                    "detected_ms": impact.map { .number($0.detected.milliseconds) } ?? .null,
                    "recovered_ms": impact?.recovered.map { .number($0.estimate.milliseconds) } ?? .null,
                    "downtime_ms": impact?.downtime.map { .number($0.estimate.milliseconds) } ?? .null,
                    "ttd_ms": analysis.timeToDetect.map { .number($0.milliseconds) } ?? .null,
                    "ttr_ms": analysis.unaffected ? .null : analysis.timeToRecover.map { .number($0.milliseconds) } ?? .null,
                    "samples_during": .integer(Int64(analysis.samplesDuring)),
                    "failures_during": .integer(Int64(analysis.failuresDuring)),
                    "healthy_before": .bool(analysis.healthyBefore),
                ])
            }
            if unrecovered { throw ExitCode(FaultlineExitCode.failed.rawValue) }
        }
    }

    /// This host's engine: whatever an earlier, crashed faultline left is reverted first, then the
    /// target is resolved.
    func localPath(plan: Plan, revertLimit: Duration, trap: SignalTrap, output: Output, logger: Logger) async throws -> LocalInjection {
        let context = try await CommandContext.make(global, logger: logger)
        let ledger = try context.ledger(global)
        let recovery = try await LedgerRecovery(environment: context.environment, ledger: ledger, revertTimeout: revertLimit).recover()
        RecoveryPrinter.print(recovery, to: output, quietWhenEmpty: true)
        let target = try await TargetResolver(containers: context.engine).resolve(self.target)
        let injector = FaultInjector(environment: context.environment, ledger: ledger, revertTimeout: revertLimit)
        return LocalInjection(injector: injector, action: plan.action, target: target, window: plan.window, trap: trap,
                              engine: context.engine, output: output)
    }

    /// A fleet node's agent, from the fleet file (`--fleet` or `$FAULTLINE_FLEET`).
    func agentPath(node: String, kind: FaultKind, window: Duration?) throws -> AgentInjection {
        guard let description = try fleet.load() else {
            throw ValidationError("--node needs a fleet file naming the nodes: --fleet FILE or $\(FleetDescription.environmentVariable)")
        }
        return AgentInjection(agent: try NodeAgent(node: node, in: description), kind: kind, target: target,
                              parameters: try KindOptions.texts(kindOptions, for: kind), window: window)
    }

    /// How long the warden an inject starts stays once idle.
    static let wardenLinger: Duration = .seconds(60)

    static func millis(_ duration: Duration) -> String {
        String(format: "%.1f ms", duration.milliseconds)
    }
}
