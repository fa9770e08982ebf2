import DockerEngine
import Faults
import FaultlineSupport

/// One fault as a campaign names it: a kind, the target selector, and the kind's parameters.
public struct FaultSpec: Sendable, Equatable, Codable {
    public var kind: FaultKind
    /// The name of a target selector.
    public var target: String
    /// stop / restart: seconds before SIGKILL.
    public var grace: Int?
    /// kill: the signal.
    public var signal: String?
    /// cpu: cores.
    public var cpus: Double?
    /// memory: bytes.
    public var memory: Int64?
    /// partition: networks (empty: all).
    public var networks: [String]?
    /// partition: peers (containers or CIDRs) to cut off instead of whole networks.
    public var peers: [String]?
    /// partition: groups of target names; each loses the other groups (expanded by the plan into
    /// one peer partition per container).
    public var groups: [[String]]?
    /// loss: share of packets dropped, 0…1.
    public var probability: Double?
    /// loss, blackhole, partition with peers: which traffic.
    public var direction: TrafficDirection?
    /// blackhole, loss: ports (`5432`, `53/udp`).
    public var ports: [String]?
    /// bandwidth: tc rate (`1mbit`).
    public var rate: String?
    /// latency: added delay and jitter.
    public var delay: Duration?
    public var jitter: Duration?
    /// toxic: the campaign proxy and its toxics (`latency=2s,stream=upstream`).
    public var proxy: String?
    public var toxics: [String]?

    public init(kind: FaultKind, target: String, grace: Int? = nil, signal: String? = nil, cpus: Double? = nil,
                memory: Int64? = nil, networks: [String]? = nil) {
        self.kind = kind
        self.target = target
        self.grace = grace
        self.signal = signal
        self.cpus = cpus
        self.memory = memory
        self.networks = networks
    }

    /// The fault action to inject; `hasWindow` decides whether a kill is started again.
    public func action(hasWindow: Bool) -> any FaultAction {
        switch kind {
        case .stop: return StopFault(graceSeconds: grace)
        case .restart: return RestartFault(graceSeconds: grace)
        case .kill: return KillFault(signal: signal ?? "SIGKILL", startAgainAfterWindow: hasWindow)
        case .pause: return PauseFault()
        case .cpu: return CPUFault(cpus: cpus ?? 0.1)
        case .memory: return MemoryFault(bytes: memory ?? MemoryFault.minimumBytes)
        case .partition:
            if let peers, !peers.isEmpty { return PeerPartitionFault(peers: peers, direction: direction ?? .both) }
            return PartitionFault(networks: networks ?? [])
        case .loss: return LossFault(probability: probability ?? 0, direction: direction ?? .both,
                                     ports: (ports ?? []).compactMap(BlackholeFault.Port.parse))
        case .blackhole: return BlackholeFault(ports: (ports ?? []).compactMap(BlackholeFault.Port.parse), direction: direction ?? .inbound)
        case .bandwidth: return ShapingFault(.bandwidth(rate: rate ?? ""))
        case .latency: return ShapingFault(.latency(delay: delay ?? .zero, jitter: jitter ?? .zero))
        case .toxic: return NotOnContainers(kind: kind, summary: summary)
        }
    }

    /// `pause`, `cpu 0.2`, `kill SIGTERM`, `memory 64MiB`.
    public var summary: String {
        switch kind {
        case .cpu: return "cpu \(cpus.map { String($0) } ?? "?")"
        case .memory: return "memory \(memory.map(ByteSize.format) ?? "?")"
        case .kill: return "kill \(signal ?? "SIGKILL")"
        case .partition:
            if let groups { return "partition " + groups.map { $0.joined(separator: ",") }.joined(separator: " | ") }
            if let peers, !peers.isEmpty { return "partition from \(peers.joined(separator: ","))" }
            return (networks ?? []).isEmpty ? "partition" : "partition \((networks ?? []).joined(separator: ","))"
        case .loss, .blackhole, .bandwidth, .latency: return action(hasWindow: true).summary
        case .toxic: return "toxic \((toxics ?? []).joined(separator: " + "))"
        default: return kind.rawValue
        }
    }
}

/// What a kind that does not act on containers (toxic) gives where a container fault is asked for:
/// a refusal, never a silent no-op.
struct NotOnContainers: FaultAction {
    let kind: FaultKind
    let summary: String
    func prepare(_ target: ContainerDetails, in environment: FaultEnvironment) async throws -> PreparedFault {
        throw FaultError.notApplicable(kind: kind, target: target.name, reason: "\(kind.rawValue) acts on a campaign proxy, not on a container")
    }
}
