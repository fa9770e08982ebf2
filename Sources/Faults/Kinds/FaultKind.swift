/// The kinds of container fault faultline can inject.
public enum FaultKind: String, Codable, Sendable, CaseIterable {
    /// Stop the container; start it again when the window ends.
    case stop
    /// Restart the container (one-shot).
    case restart
    /// Send a signal; with a window, start the container again if it is down when the window ends.
    case kill
    /// Freeze every process (cgroup freezer); unpause when the window ends.
    case pause
    /// Limit CPU to a fraction of a core for the window.
    case cpu
    /// Limit memory for the window.
    case memory
    /// Disconnect from one or all networks (reconnect with the same aliases and addresses), or,
    /// with peers, drop traffic to and from those peers only (iptables in its namespace).
    case partition
    /// Drop a random share of packets (iptables `statistic`).
    case loss
    /// Drop traffic to given ports without an answer.
    case blackhole
    /// Limit the rate the container sends at (`tbf`).
    case bandwidth
    /// Delay packets (`netem`, where the kernel has it).
    case latency
    /// Turn toxics on in a TCP proxy that the campaign runs in faultline's own process (latency,
    /// resets, timeouts… on any kernel); the target is the proxy, not a container.
    case toxic

    /// The kind's one definition: its parameters, their checks, and the action it injects.
    public var definition: any FaultParameters.Type {
        switch self {
        case .stop: return StopParameters.self
        case .restart: return RestartParameters.self
        case .kill: return KillParameters.self
        case .pause: return PauseParameters.self
        case .cpu: return CPUParameters.self
        case .memory: return MemoryParameters.self
        case .partition: return PartitionParameters.self
        case .loss: return LossParameters.self
        case .blackhole: return BlackholeParameters.self
        case .bandwidth: return BandwidthParameters.self
        case .latency: return LatencyParameters.self
        case .toxic: return ToxicParameters.self
        }
    }

    /// Whether the fault lasts for a window (and needs one) and is reverted at its end; restart
    /// and kill are one-shot.
    public var isWindowed: Bool { definition.window == .required }

    /// Whether the fault acts on a container (every kind but `toxic`, which acts on a proxy).
    public var actsOnContainer: Bool { self != .toxic }

    /// The kinds as the CLI lists them.
    public static var allowedList: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
