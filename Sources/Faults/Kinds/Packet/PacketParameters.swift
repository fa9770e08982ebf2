import FaultlineSupport

/// `packet`: a container's packets delayed (with jitter), lost (at random or in bursts), duplicated,
/// corrupted, reordered or held to a rate by faultline's packet engine: marked rules send the matching packets to
/// an NFQUEUE with bypass, and a process of faultline's in the container's network namespace gives
/// each its verdict. Works on any kernel with iptables' NFQUEUE target (no netem needed).
public struct PacketParameters: FaultParameters {
    public static let kind = FaultKind.packet
    public static let purpose = "Delay (with jitter), lose (at random or in bursts), duplicate, corrupt, reorder or rate-limit the container's packets in faultline's packet engine: marked rules send matching packets to an NFQUEUE with bypass (the container's loopback is exempt) and a process of faultline's in its network namespace decides each; if that process dies, packets pass at once. Any kernel with iptables' NFQUEUE target; no netem needed."
    public static let revert = "the marked rules deleted and the engine stopped (packets it held are let through first; it deletes the rules itself at its own deadline too, and ends when the faultline process that started it dies)"
    public static let window = FaultWindowUse.required
    public static let parameters = [
        FaultParameter("delay", .duration(.zero ... .seconds(60)), help: "added to every matching packet", example: "200ms"),
        FaultParameter("jitter", .duration(.zero ... .seconds(60)), help: "with delay: how much the delay varies (normal: standard deviation; uniform: ±; pareto: mean of the extra)", example: "50ms"),
        FaultParameter("distribution", .choice(PacketDelay.Distribution.allCases.map(\.rawValue)), help: "with jitter: the shape of the variation (default normal)", example: "pareto"),
        FaultParameter("correlation", .number(0...0.99, unit: "share"), help: "with jitter: how much each packet's variation follows the last one's (default 0)", example: "0.25"),
        FaultParameter("loss", .number(0.0001...1, unit: "share of packets"), help: "share of matching packets dropped", example: "0.05"),
        FaultParameter("loss-burst", .number(1...10_000, unit: "packets"), help: "with loss: mean length of a run of lost packets (Gilbert model; default 1: each packet on its own)", example: "4"),
        FaultParameter("duplicate", .number(0.0001...1, unit: "share of packets"), help: "share of matching packets sent twice", example: "0.02"),
        FaultParameter("corrupt", .number(0.0001...1, unit: "share of packets"), help: "share of matching packets with one bit flipped after the IP header", example: "0.01"),
        FaultParameter("checksums", .choice(PacketCorruption.Checksums.allCases.map(\.rawValue)),
                       help: "with corrupt: break (the receiver's stack drops the packet, default) or fix the TCP/UDP checksum (the application gets the flipped bit)", example: "fix"),
        FaultParameter("reorder", .number(0.0001...1, unit: "share of packets"), help: "with delay: share of packets sent at once, ahead of the delayed ones", example: "0.1"),
        FaultParameter("rate", .rate, help: "each direction's matching packets leave one after another at this rate, as on a slower link (after their delay; what waits counts toward max-held)", example: "1mbit"),
        FaultParameter.direction(default: .both),
        FaultParameter("ports", option: "port", .port, repeatable: true, help: "only packets to or from these ports (either end: 5432 takes a client's calls to PostgreSQL and their answers)", example: "5432"),
        FaultParameter("peers", option: "peer", .name, repeatable: true, help: "only packets to or from these containers (every address of theirs) or CIDRs", example: "postgres"),
        FaultParameter("max-held", .number(1...1_000_000, unit: "packets"), help: "most packets held back at once (default 50000); see at-bound", example: "10000"),
        FaultParameter("max-held-bytes", .size(minimum: 64 << 10), help: "most bytes held back at once (default 256MiB); see at-bound", example: "16m"),
        FaultParameter("at-bound", .choice(PacketBounds.Overflow.allCases.map(\.rawValue)),
                       help: "a packet that would exceed max-held or max-held-bytes: accept it undelayed (default) or drop it (with rate: a link's full queue)", example: "drop"),
    ]
    public static let example = "packet api --delay 200ms --jitter 50ms --loss 0.02 --peer postgres --for 30s"

    public var delay: PacketDelay?
    public var loss: PacketLoss?
    public var duplicate: Double?
    public var corruption: PacketCorruption?
    public var reorder: Double?
    /// The rate each direction's link sends at (`1mbit`, `500kbps`).
    public var rate: String?
    public var direction: TrafficDirection?
    public var ports: [String]?
    public var peers: [String]?
    public var bounds: PacketBounds?

    public init(delay: PacketDelay? = nil, loss: PacketLoss? = nil, duplicate: Double? = nil, corruption: PacketCorruption? = nil, reorder: Double? = nil,
                rate: String? = nil, direction: TrafficDirection? = nil, ports: [String]? = nil, peers: [String]? = nil, bounds: PacketBounds? = nil) {
        self.delay = delay
        self.loss = loss
        self.duplicate = duplicate
        self.corruption = corruption
        self.reorder = reorder
        self.rate = rate
        self.direction = direction
        self.ports = ports
        self.peers = peers
        self.bounds = bounds
    }

    public init(_ input: ParameterInput) throws(ParameterError) {
        let delay = input.duration("delay")
        for key in ["jitter", "distribution", "correlation", "reorder"] where input.given(key) && delay == nil {
            throw ParameterError(key: key, "\(parameter: key) goes with \(parameter: "delay")")
        }
        for key in ["distribution", "correlation"] where input.given(key) && (input.duration("jitter") ?? .zero) == .zero {
            throw ParameterError(key: key, "\(parameter: key) goes with a \(parameter: "jitter") above 0")
        }
        if input.given("loss-burst") && !input.given("loss") { throw ParameterError(key: "loss-burst", "\(parameter: "loss-burst") goes with \(parameter: "loss")") }
        if input.given("checksums") && !input.given("corrupt") { throw ParameterError(key: "checksums", "\(parameter: "checksums") goes with \(parameter: "corrupt")") }
        self.delay = delay.map {
            PacketDelay(delay: $0, jitter: input.duration("jitter") ?? .zero,
                        distribution: input.text("distribution").flatMap(PacketDelay.Distribution.init(rawValue:)) ?? .normal,
                        correlation: input.number("correlation") ?? 0)
        }
        loss = input.number("loss").map { PacketLoss(probability: $0, meanBurst: input.number("loss-burst") ?? 1) }
        if let loss, !loss.isPossible {
            throw ParameterError(key: "loss-burst", "a loss of \(ParameterType.format(loss.probability)) in bursts of \(ParameterType.format(loss.meanBurst)) packets on average cannot be: lower one of them")
        }
        duplicate = input.number("duplicate")
        corruption = input.number("corrupt").map {
            PacketCorruption(probability: $0, checksums: input.text("checksums").flatMap(PacketCorruption.Checksums.init(rawValue:)) ?? .break)
        }
        reorder = input.number("reorder")
        rate = input.text("rate")
        guard self.delay != nil || loss != nil || duplicate != nil || corruption != nil || rate != nil else {
            throw ParameterError(key: "delay", "give at least one of \(parameter: "delay"), \(parameter: "loss"), \(parameter: "duplicate"), \(parameter: "corrupt") or \(parameter: "rate")")
        }
        direction = input.text("direction").flatMap(TrafficDirection.init(rawValue:))
        ports = input.texts("ports")
        peers = input.texts("peers")
        let maxHeld = try HTTPParameters.whole(input.number("max-held"), "max-held")
        let maxHeldBytes = input.bytes("max-held-bytes")
        let overflow = input.text("at-bound").flatMap(PacketBounds.Overflow.init(rawValue:))
        bounds = maxHeld == nil && maxHeldBytes == nil && overflow == nil ? nil
            : PacketBounds(maxHeld: maxHeld ?? PacketBounds.standard.maxHeld, maxHeldBytes: maxHeldBytes ?? PacketBounds.standard.maxHeldBytes, overflow: overflow ?? .accept)
    }

    public var texts: [(key: String, texts: [String])] {
        var texts: [(key: String, texts: [String])] = []
        if let delay {
            texts.append(("delay", [ParameterTexts.duration(delay.delay)]))
            if delay.jitter > .zero {
                texts += [("jitter", [ParameterTexts.duration(delay.jitter)]), ("distribution", [delay.distribution.rawValue])]
                if delay.correlation > 0 { texts.append(("correlation", [ParameterTexts.number(delay.correlation)])) }
            }
        }
        if let loss {
            texts.append(("loss", [ParameterTexts.number(loss.probability)]))
            if loss.meanBurst != 1 { texts.append(("loss-burst", [ParameterTexts.number(loss.meanBurst)])) }
        }
        texts += ParameterTexts.optional("duplicate", duplicate.map(ParameterTexts.number))
        if let corruption { texts += [("corrupt", [ParameterTexts.number(corruption.probability)]), ("checksums", [corruption.checksums.rawValue])] }
        texts += ParameterTexts.optional("reorder", reorder.map(ParameterTexts.number)) + ParameterTexts.optional("rate", rate)
            + ParameterTexts.optional("direction", direction?.rawValue)
            + ParameterTexts.list("ports", ports) + ParameterTexts.list("peers", peers)
        if let bounds { texts += [("max-held", [String(bounds.maxHeld)]), ("max-held-bytes", [String(bounds.maxHeldBytes)]), ("at-bound", [bounds.overflow.rawValue])] }
        return texts
    }

    public func action(hasWindow: Bool) -> any FaultAction { PacketFault(parameters: self, mechanism: nil) }

    /// `packet delay 200ms±50ms normal loss 2% both peer postgres`.
    public var summary: String {
        var words = ["packet"]
        if let delay { words.append(delay.description) }
        if let loss { words.append(loss.description) }
        if let duplicate { words.append("duplicate \(Self.percent(duplicate))") }
        if let corruption { words.append("corrupt \(Self.percent(corruption.probability))" + (corruption.checksums == .fix ? " (checksums fixed)" : "")) }
        if let reorder { words.append("reorder \(Self.percent(reorder))") }
        if let rate { words.append("rate \(rate)") }
        words.append((direction ?? .both).rawValue)
        if let ports, !ports.isEmpty { words.append("port \(ports.joined(separator: ","))") }
        if let peers, !peers.isEmpty { words.append("peer \(peers.joined(separator: ","))") }
        return words.joined(separator: " ")
    }

    static func percent(_ share: Double) -> String { ParameterType.format(share * 100) + "%" }
}
