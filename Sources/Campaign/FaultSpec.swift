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
        case .partition: return PartitionFault(networks: networks ?? [])
        }
    }

    /// `pause`, `cpu 0.2`, `kill SIGTERM`, `memory 64MiB`.
    public var summary: String {
        switch kind {
        case .cpu: return "cpu \(cpus.map { String($0) } ?? "?")"
        case .memory: return "memory \(memory.map(ByteSize.format) ?? "?")"
        case .kill: return "kill \(signal ?? "SIGKILL")"
        case .partition: return (networks ?? []).isEmpty ? "partition" : "partition \((networks ?? []).joined(separator: ","))"
        default: return kind.rawValue
        }
    }
}
