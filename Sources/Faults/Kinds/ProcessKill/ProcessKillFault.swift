import DockerEngine

/// Signals the processes of a running container whose command line matches `pattern`. Prepared
/// from the container's processes as they are: nothing matching, or a match on the main process
/// without `includeMain`, is refused before anything is signalled (the main process's end stops
/// the container: that is the `kill` kind's job). Nothing to revert.
public struct ProcessKillFault: FaultAction {
    public let kind = FaultKind.processKill
    public let pattern: String
    public let signal: String
    public let includeMain: Bool
    public var summary: String { "process-kill '\(pattern)' \(signal)" }

    public init(pattern: String, signal: String = "SIGKILL", includeMain: Bool = false) {
        self.pattern = pattern
        self.signal = signal
        self.includeMain = includeMain
    }

    public func prepare(_ target: ContainerDetails, in environment: FaultEnvironment) async throws -> PreparedFault {
        try TargetState.requireRunning(target, for: kind)
        guard let number = SignalName.linux.first(where: { $0.0 == signal })?.1 else {
            throw FaultError.notApplicable(kind: kind, target: target.name, reason: "unknown signal \(signal)")
        }
        let processes: [ContainerProcess]
        do { processes = try environment.processes.processes(ofContainerWithMainProcess: target.state.pid) } catch {
            throw FaultError.unsupported(kind: kind, reason: "cannot list the processes of \(target.name): \(error); run faultline on the engine's host (or its agent there)")
        }
        let matching = try Self.matching(pattern, in: processes)
        guard !matching.isEmpty else {
            let listed = processes.prefix(12).map(\.described).joined(separator: ", ")
            throw FaultError.notApplicable(kind: kind, target: target.name,
                                           reason: "no process matches '\(pattern)' (its processes: \(listed)\(processes.count > 12 ? ", …" : ""))")
        }
        if !includeMain, let main = matching.first(where: \.isMain) {
            throw FaultError.notApplicable(kind: kind, target: target.name,
                                           reason: "'\(pattern)' matches its main process (\(main.commandLine)): its end stops the container; narrow the pattern, say include_main: true, or use the kill kind")
        }
        let logger = environment.logger
        return PreparedFault(revert: .nothing) { environment in
            var signalled = 0
            for process in matching where try environment.processes.signal(process, Int32(number)) { signalled += 1 }
            guard signalled > 0 else {
                throw FaultError.notApplicable(kind: .processKill, target: target.name, reason: "every process matching '\(pattern)' ended before it was signalled")
            }
            logger.info("processes signalled", metadata: ["signalled": "\(signalled)", "matched": "\(matching.count)", "signal": "\(signal)"])
        }
    }

    /// The processes whose command line contains a match of `pattern`.
    static func matching(_ pattern: String, in processes: [ContainerProcess]) throws -> [ContainerProcess] {
        let regex = try Regex(pattern)
        return processes.filter { $0.commandLine.contains(regex) }
    }
}
