import ArgumentParser
import Campaign
import DockerEngine
import Faults
import FaultlineSupport
import Foundation
import Synchronization

/// `faultline inject KIND TARGET`: one fault, now, for a window; reverted at the end of the window
/// or at once on SIGINT/SIGTERM.
struct InjectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inject",
        abstract: "Inject one fault into a container now and revert it when the window ends.",
        discussion: """
            Kinds: \(FaultKind.allCases.filter(\.actsOnContainer).map(\.rawValue).joined(separator: ", ")).
            Every kind but restart and kill needs --for; restart is one-shot; kill is one-shot
            unless --for is given (then the container is started again if it is still down).
            Examples:
              faultline inject pause redis --for 30s
              faultline inject cpu api --cpus 0.2 --for 1m
              faultline inject memory api --memory 64m --for 20s
              faultline inject kill worker --signal SIGKILL
              faultline inject partition db --for 10s [--network backend]
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Fault kind: \(FaultKind.allowedList).") var kindName: String
    @Argument(help: "Container name, id (prefix) or compose service.") var target: String

    @Option(name: .customLong("for"), help: "How long the fault lasts, e.g. 500ms, 30s, 1m.") var window: String?
    @Option(name: .long, parsing: .unconditional, help: "cpu: cores the container may use, e.g. 0.2.") var cpus: Double?
    @Option(name: .long, parsing: .unconditional, help: "memory: the limit, e.g. 64m, 1g.") var memory: String?
    @Option(name: .long, parsing: .unconditional, help: "kill: the signal (default SIGKILL).") var signal: String?
    @Option(name: .long, help: "partition: a network to cut (repeatable; default all).") var network: [String] = []
    @Option(name: .long, parsing: .unconditional, help: "stop/restart: seconds before the engine sends SIGKILL (0-3600).") var grace: Int?
    @Option(name: .long, help: "partition: cut off only this peer (container or CIDR; repeatable) instead of whole networks.") var peer: [String] = []
    @Option(name: .long, parsing: .unconditional, help: "loss: share of packets dropped, e.g. 0.3.") var probability: Double?
    @Option(name: .long, help: "blackhole: a port to drop; loss: only this port's traffic (e.g. 5432 or 53/udp; repeatable).") var port: [String] = []
    @Option(name: .long, help: "loss, blackhole, partition --peer: inbound, outbound or both.") var direction: String?
    @Option(name: .long, help: "bandwidth: the rate the container may send at, e.g. 1mbit.") var rate: String?
    @Option(name: .long, help: "latency: added delay, e.g. 200ms.") var delay: String?
    @Option(name: .long, help: "latency: jitter, e.g. 50ms.") var jitter: String?
    @Option(name: .long, help: "Longest a revert may take before it is reported as failed.") var revertTimeout: String = "30s"
    @Option(name: .long, help: "Probe this during the fault and report time to detect / recover (a probe spec, repeatable).")
    var probe: [String] = []
    @Option(name: .long, help: "How often the probes run.") var probeEvery = "100ms"
    @Option(name: .long, help: "Per-check time-out of the probes.") var probeTimeout = "500ms"
    @Option(name: .long, help: "How long to keep probing after the revert for the probes to recover.") var recoverWithin = "30s"
    @Flag(name: .long, help: "One JSON object per event.") var json = false

    /// The validated request: the fault and its window.
    struct Plan {
        let action: any FaultAction
        let window: Duration?
    }

    func validatedPlan() throws -> Plan {
        let kind = try Self.kind(named: kindName)
        guard kind.actsOnContainer else {
            throw ValidationError("toxics act on a TCP proxy, not a container: run `faultline proxy --listen PORT --upstream HOST:PORT --toxic SPEC`, or give a campaign a 'proxies' section and a toxic window")
        }
        let window = try self.window.map { text throws -> Duration in
            let parsed = try DurationText.parse(text)
            guard parsed > .zero else { throw ValidationError("--for must be longer than 0") }
            return parsed
        }
        // Each kind option with the kinds it applies to, and whether it was given.
        let kindOptions: [(String, Set<FaultKind>, Bool)] = [
            ("--cpus", [.cpu], cpus != nil), ("--memory", [.memory], memory != nil), ("--signal", [.kill], signal != nil),
            ("--network", [.partition], !network.isEmpty), ("--grace", [.stop, .restart], grace != nil),
            ("--peer", [.partition], !peer.isEmpty), ("--probability", [.loss], probability != nil), ("--port", [.blackhole, .loss], !port.isEmpty),
            ("--direction", [.loss, .blackhole, .partition], direction != nil), ("--rate", [.bandwidth], rate != nil),
            ("--delay", [.latency], delay != nil), ("--jitter", [.latency], jitter != nil),
        ]
        for (option, kinds, given) in kindOptions where given && !kinds.contains(kind) {
            throw ValidationError("\(option) does not apply to \(kind.rawValue) faults")
        }
        if let grace, !(0...StopFault.maximumGraceSeconds).contains(grace) {
            throw ValidationError("--grace must be 0 … \(StopFault.maximumGraceSeconds) seconds (how long the engine waits before SIGKILL), got \(grace)")
        }
        if !peer.isEmpty && !network.isEmpty { throw ValidationError("give --peer (cut off those only) or --network (disconnect), not both") }
        if direction != nil && kind == .partition && peer.isEmpty { throw ValidationError("--direction applies to partition --peer") }

        if kind.isWindowed && window == nil {
            throw ValidationError("\(kind.rawValue) needs --for DURATION (e.g. --for 30s): it is reverted when the window ends")
        }
        if kind == .restart && window != nil {
            throw ValidationError("restart is one-shot and takes no --for; use stop --for DURATION to keep it down")
        }
        // The same fault description campaigns use, so both build their faults in one place.
        var spec = FaultSpec(kind: kind, target: target, grace: grace, networks: network.isEmpty ? nil : network)
        switch kind {
        case .kill: spec.signal = try SignalName.normalize(signal ?? "SIGKILL")
        case .cpu:
            guard let cpus else { throw ValidationError("cpu needs --cpus CORES (e.g. --cpus 0.2)") }
            let cores = Double(ProcessInfo.processInfo.activeProcessorCount)
            guard cpus >= 0.01, cpus <= cores else {
                throw ValidationError("--cpus must be between 0.01 and \(Int(cores)) (this host's CPUs: a larger limit would change nothing), got \(cpus)")
            }
            spec.cpus = cpus
        case .memory:
            guard let memory else { throw ValidationError("memory needs --memory SIZE (e.g. --memory 64m)") }
            let bytes = try ByteSize.parse(memory)
            guard bytes >= MemoryFault.minimumBytes else {
                throw ValidationError("--memory must be at least \(ByteSize.format(MemoryFault.minimumBytes)), got \(memory)")
            }
            spec.memory = bytes
        case .partition:
            spec.peers = peer.isEmpty ? nil : peer
            spec.direction = try direction.map(Self.direction)
        case .loss:
            guard let probability else { throw ValidationError("loss needs --probability P (the share of packets dropped, e.g. 0.3)") }
            guard probability > 0, probability <= 1 else { throw ValidationError("--probability must be in (0, 1], got \(probability)") }
            spec.probability = probability
            spec.direction = try direction.map(Self.direction)
            spec.ports = try validatedPorts()
        case .blackhole:
            guard !port.isEmpty else { throw ValidationError("blackhole needs --port N (e.g. --port 5432, --port 53/udp)") }
            spec.ports = try validatedPorts()
            spec.direction = try direction.map(Self.direction)
        case .bandwidth:
            guard let rate else { throw ValidationError("bandwidth needs --rate RATE (e.g. --rate 1mbit)") }
            do { _ = try RateText.parse(rate) } catch { throw ValidationError("--rate \(error)") }
            spec.rate = rate
        case .latency:
            guard let delay else { throw ValidationError("latency needs --delay DURATION (e.g. --delay 200ms)") }
            spec.delay = try DurationText.parse(delay)
            spec.jitter = try jitter.map(DurationText.parse)
        default: break
        }
        return Plan(action: spec.action(hasWindow: window != nil), window: window)
    }

    /// The --port values, each checked; nil when none were given.
    func validatedPorts() throws -> [String]? {
        for text in port where BlackholeFault.Port.parse(text) == nil {
            throw ValidationError("--port '\(text)' is not a port (1-65535, optionally /tcp or /udp)")
        }
        return port.isEmpty ? nil : port
    }

    static func direction(_ text: String) throws -> TrafficDirection {
        guard let direction = TrafficDirection(rawValue: text.lowercased()) else {
            throw ValidationError("--direction '\(text)' is not one of \(TrafficDirection.allowedList)")
        }
        return direction
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
        let context = try await CommandContext.make(global)
        let session = try probe.isEmpty ? nil : ProbeSession(
            specs: probe, every: try DurationText.parse(probeEvery), timeout: try DurationText.parse(probeTimeout),
            logger: context.logger, output: output)
        let recoveryLimit = try DurationText.parse(recoverWithin)
        let ledger = try context.ledger(global)

        // Whatever an earlier, crashed faultline left is reverted before anything new is injected.
        let recovery = try await LedgerRecovery(environment: context.environment, ledger: ledger, revertTimeout: revertLimit).recover()
        RecoveryPrinter.print(recovery, to: output, quietWhenEmpty: true)

        let target = try await TargetResolver(containers: context.engine).resolve(self.target)
        if let early = trap.received {
            output.event("interrupt", "\(SignalTrap.name(early)) received before the inject: nothing injected")
            throw SignalTrap.exitCode(for: early)
        }
        let injector = FaultInjector(environment: context.environment, ledger: ledger, revertTimeout: revertLimit)
        if let session {
            session.start()
            await session.awaitBaseline(limit: .seconds(3))
        }
        let injectAt = session?.now ?? .zero
        let fault = try await Self.hurryingOnSignal(kind: kind, target: target, trap: trap, engine: context.engine, output: output) {
            try await injector.inject(plan.action, on: target, window: plan.window)
        }
        let windowText = plan.window.map { " for \(DurationText.format($0))" } ?? ""
        output.event("injected", "\(fault.summary) on \(target.name) (\(target.shortID))\(windowText) [\(Self.millis(fault.injectDuration))]",
                     fields: ["fault_id": .string(fault.id), "kind": .string(kind.rawValue), "target": .string(target.name),
                              "target_id": .string(target.id), "window_ms": plan.window.map { .number($0.milliseconds) } ?? .null,
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
        let report = await injector.revert(fault)
        let elapsed = report.revertedAt.timeIntervalSince(fault.injectedAt)
        switch report.result {
        case .success(let outcome):
            let verb = outcome == .nothingToRevert ? "done" : "reverted"
            output.event(verb, "\(fault.summary) on \(target.name) after \(DurationText.format(.seconds(elapsed))): \(outcome) [\(Self.millis(report.duration))]",
                         fields: ["fault_id": .string(fault.id), "outcome": .string(outcome.description),
                                  "revert_ms": .number(report.duration.milliseconds), "elapsed_ms": .number(elapsed * 1000)],
                         at: report.revertedAt)
        case .failure(let failure):
            output.event("failed", "revert of \(fault.summary) on \(target.name) FAILED: \(failure); the ledger keeps it open for `faultline recover`",
                         fields: ["fault_id": .string(fault.id), "error": .string(failure.message)], at: report.revertedAt)
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
                output.event("measured", ProbeSession.describe(name, analysis), fields: [
                    "probe": .string(name),
                    "ttd_ms": analysis.timeToDetect.map { .number($0.milliseconds) } ?? .null,
                    "ttr_ms": analysis.timeToRecover.map { .number($0.milliseconds) } ?? .null,
                    "samples_during": .integer(Int64(analysis.samplesDuring)),
                    "failures_during": .integer(Int64(analysis.failuresDuring)),
                    "healthy_before": .bool(analysis.healthyBefore),
                ])
            }
            if unrecovered { throw ExitCode(FaultlineExitCode.failed.rawValue) }
        }
    }

    /// Runs the inject; a SIGINT or SIGTERM while a stop or restart waits out its grace hurries
    /// it (SIGKILL to the container), since the engine offers no way to cancel a stop, so the
    /// command gets to its revert (start again) at once instead of after the grace.
    static func hurryingOnSignal(kind: FaultKind, target: ContainerDetails, trap: SignalTrap, engine: DockerEngineClient, output: Output,
                                 _ inject: () async throws -> ActiveFault) async throws -> ActiveFault {
        guard kind == .stop || kind == .restart else { return try await inject() }
        let injecting = Mutex(true)
        trap.onSignal {
            guard injecting.withLock({ $0 }) else { return }
            output.event("interrupt", "signal received during the \(kind.rawValue): hurrying it with SIGKILL, then reverting")
            Task { try? await engine.killContainer(target.id, signal: "SIGKILL") }
        }
        defer { injecting.withLock { $0 = false } }
        return try await inject()
    }

    static func millis(_ duration: Duration) -> String {
        String(format: "%.1f ms", duration.milliseconds)
    }
}
