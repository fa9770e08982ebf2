import DockerEngine
import FaultlineSupport

/// Replaces the root qdisc of each of the container's interfaces (not loopback) for the window:
/// `tbf` for a bandwidth limit on what the container sends, `netem` for latency and jitter where
/// the kernel has it. An interface that already has a root qdisc faultline did not add is refused,
/// never replaced: the revert could not restore it exactly.
public struct ShapingFault: FaultAction {
    public enum Shape: Sendable, Equatable {
        /// tc rate syntax: `1mbit`, `500kbit`, `10mbps`.
        case bandwidth(rate: String)
        case latency(delay: Duration, jitter: Duration, mechanism: LatencyMechanism)
    }

    public let shape: Shape
    public var kind: FaultKind {
        switch shape {
        case .bandwidth: return .bandwidth
        case .latency: return .latency
        }
    }
    public var summary: String {
        switch shape {
        case .bandwidth(let rate): return "bandwidth \(rate)"
        case .latency(let delay, let jitter, let mechanism):
            return "latency \(Self.milliseconds(delay))" + (jitter > .zero ? " ±\(Self.milliseconds(jitter))" : "") + (mechanism == .auto ? "" : " (\(mechanism.rawValue))")
        }
    }

    public init(_ shape: Shape) { self.shape = shape }

    /// Whether `text` is a rate `tc` understands: a number and bit, kbit, mbit, gbit, bps, kbps, mbps, gbps.
    public static func isRate(_ text: String) -> Bool { bytesPerSecond(text) != nil }

    /// The rate in bytes per second (tc's units: kbit = 1000 bit, bps = bytes per second).
    public static func bytesPerSecond(_ text: String) -> Double? { RateText.bytesPerSecond(text) }

    /// The bucket: 20 ms worth of the rate, at least 16 KB (a bucket smaller than what the kernel
    /// sends per timer tick would hold the rate well below what was asked).
    static func burstBytes(_ bytesPerSecond: Double) -> Int { max(16_384, Int(bytesPerSecond / 50)) }

    public func prepare(_ target: ContainerDetails, in environment: FaultEnvironment) async throws -> PreparedFault {
        try await prepare(target, in: environment, window: nil)
    }

    public func prepare(_ target: ContainerDetails, in environment: FaultEnvironment, window: Duration?) async throws -> PreparedFault {
        let pid = try NamespaceTarget.require(target, for: kind)
        let qdisc: [String]
        switch shape {
        case .bandwidth(let rate):
            guard Self.isRate(rate) else {
                throw FaultError.notApplicable(kind: kind, target: target.name, reason: "'\(rate)' is not a rate (e.g. 1mbit, 500kbit, 10mbps)")
            }
            qdisc = ["tbf", "rate", rate, "burst", String(Self.burstBytes(Self.bytesPerSecond(rate) ?? 0)), "latency", "400ms"]
        case .latency(let delay, let jitter, let mechanism):
            let hasNetem = mechanism == .packetEngine ? false : environment.namespaces.kernelHasNetem()
            if !hasNetem {
                guard mechanism != .netem else {
                    throw FaultError.unsupported(kind: kind, reason: "this kernel has no netem qdisc (sch_netem), so latency cannot be added by netem; "
                                                 + "leave out mechanism (or give packet-engine) to delay packets in faultline's packet engine")
                }
                // The same delay on what the container sends, in faultline's packet engine.
                let packets = PacketParameters(delay: PacketDelay(delay: delay, jitter: jitter), direction: .outbound)
                let why = mechanism == .auto ? "no netem here: faultline's packet engine" : "faultline's packet engine"
                let engine = PacketFault(parameters: packets, mechanism: why, kind: .latency)
                let prepared = try await engine.prepare(target, in: environment, window: window)
                return PreparedFault(revert: prepared.revert, summary: summary + " (\(why))", inject: prepared.inject)
            }
            qdisc = ["netem", "delay", Self.milliseconds(delay)] + (jitter > .zero ? [Self.milliseconds(jitter)] : [])
        }
        let interfaces = try NamespaceTarget.interfaces(pid: pid, in: environment)
        guard !interfaces.isEmpty else {
            throw FaultError.notApplicable(kind: kind, target: target.name, reason: "it has no network interface besides loopback")
        }
        for interface in interfaces {
            let shaped = ShapedInterface(interface: interface, qdisc: qdisc)
            let root = try environment.namespaces.run(shaped.show, inNetworkNamespaceOf: pid)
            try NetworkRulesStep.require(root, shaped.show)
            let present = root.output
            let isDefault = present.isEmpty || present.contains("qdisc noqueue 0:") || present.contains("qdisc pfifo_fast 0:")
                || present.contains("qdisc mq 0:") || present.contains("qdisc fq_codel 0:")
            if ShapedInterface.isOurs(present) {
                throw FaultError.notApplicable(kind: kind, target: target.name,
                                               reason: "\(interface) already carries a faultline qdisc (another fault is active; run `faultline recover` if none is)")
            }
            guard isDefault else {
                throw FaultError.notApplicable(kind: kind, target: target.name,
                                               reason: "\(interface) already has a root qdisc faultline did not add (\(present.prefix(80))); refusing to replace it")
            }
        }
        return NamespaceTarget.prepared(target, pid: pid, rules: [],
                                        shaped: interfaces.map { ShapedInterface(interface: $0, qdisc: qdisc) })
    }

    static func milliseconds(_ duration: Duration) -> String { "\(Int(duration.milliseconds.rounded()))ms" }
}
