/// The kinds of container fault faultline can inject.
public enum FaultKind: String, Codable, Sendable, CaseIterable {
    /// Stop the container; start it again when the window ends.
    case stop
    /// Restart the container (one-shot).
    case restart
    /// Send a signal; with a window, start the container again if it is down when the window ends.
    case kill
    /// Send a signal to the processes inside the container that match a pattern (one-shot).
    case processKill = "process-kill"
    /// Freeze every process (cgroup freezer); unpause when the window ends.
    case pause
    /// Limit CPU to a fraction of a core for the window.
    case cpu
    /// Limit memory for the window.
    case memory
    /// Keep CPUs busy inside the container for the window.
    case cpuHog = "cpu-hog"
    /// Allocate and hold memory inside the container for the window.
    case memoryHog = "memory-hog"
    /// Fill the filesystem under a directory of the container for the window.
    case diskFill = "disk-fill"
    /// Keep the disk under a directory of the container busy with reads and writes for the window.
    case ioHog = "io-hog"
    /// Throttle the container's reads and writes on a disk for the window.
    case ioLimit = "io-limit"
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
    /// Delay, lose, duplicate, corrupt or reorder packets in faultline's packet engine (NFQUEUE; any kernel).
    case packet
    /// Make name resolution fail (or answer late) for names matching a pattern.
    case dns
    /// Answer, delay or reset HTTP calls a container makes or receives (a proxy of faultline's in its namespace).
    case http
    /// Drop, delay, duplicate, reorder or corrupt WebSocket messages, or close after one (the same proxy).
    case websocket
    /// Turn toxics on in a TCP proxy that the campaign runs in faultline's own process (latency,
    /// resets, timeouts… on any kernel); the target is the proxy, not a container.
    case toxic
    /// Set a Swarm node's availability to drain (or pause) through a manager; set it back when
    /// the window ends. The target is the node, not a container.
    case drain
    /// Cut a Swarm node off from the other nodes (marked rules on that node, both ways); the
    /// target is the node, and the node's own agent carries it out.
    case isolate

    /// The kind's one definition: its parameters, their checks, and the action it injects.
    public var definition: any FaultParameters.Type {
        switch self {
        case .stop: return StopParameters.self
        case .restart: return RestartParameters.self
        case .kill: return KillParameters.self
        case .processKill: return ProcessKillParameters.self
        case .pause: return PauseParameters.self
        case .cpu: return CPUParameters.self
        case .memory: return MemoryParameters.self
        case .cpuHog: return CPUHogParameters.self
        case .memoryHog: return MemoryHogParameters.self
        case .diskFill: return DiskFillParameters.self
        case .ioHog: return IOHogParameters.self
        case .ioLimit: return IOLimitParameters.self
        case .partition: return PartitionParameters.self
        case .loss: return LossParameters.self
        case .blackhole: return BlackholeParameters.self
        case .bandwidth: return BandwidthParameters.self
        case .latency: return LatencyParameters.self
        case .packet: return PacketParameters.self
        case .dns: return DNSParameters.self
        case .http: return HTTPParameters.self
        case .websocket: return WebSocketParameters.self
        case .toxic: return ToxicParameters.self
        case .drain: return DrainParameters.self
        case .isolate: return IsolateParameters.self
        }
    }

    /// Whether the fault lasts for a window (and needs one) and is reverted at its end; restart
    /// and kill are one-shot.
    public var isWindowed: Bool { definition.window == .required }

    /// What a fault of the kind acts on.
    public enum Subject: Sendable {
        case container
        /// A TCP proxy the campaign runs in faultline's own process (toxic).
        case proxy
        /// A Swarm node: through a manager (drain) or on the node itself (isolate).
        case swarmNode
    }

    public var subject: Subject {
        switch self {
        case .toxic: return .proxy
        case .drain, .isolate: return .swarmNode
        default: return .container
        }
    }

    /// What the kind acts on, in words: "a container", "a campaign proxy", "a Swarm node".
    public var subjectDescription: String {
        switch subject {
        case .container: return "a container"
        case .proxy: return "a campaign proxy"
        case .swarmNode: return "a Swarm node"
        }
    }

    /// Whether the fault acts on a container (every kind but `toxic` and `drain`).
    public var actsOnContainer: Bool { subject == .container }

    /// The kinds as the CLI lists them.
    public static var allowedList: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
