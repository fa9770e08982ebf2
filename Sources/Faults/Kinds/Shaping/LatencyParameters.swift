/// `latency`: packets delayed (`netem`, where the kernel has it).
public struct LatencyParameters: FaultParameters {
    public static let kind = FaultKind.latency
    public static let purpose = "Delay the packets the container sends: netem where the kernel has it, else faultline's packet engine (NFQUEUE; see packet); the inject line names the mechanism that ran."
    public static let revert = "the reserved-handle qdisc deleted (netem), or the packet engine's marked rules deleted and the engine stopped"
    public static let window = FaultWindowUse.required
    public static let parameters = [
        FaultParameter("delay", .duration(.milliseconds(1) ... .seconds(60)), required: true, help: "added delay", example: "200ms"),
        FaultParameter("jitter", .duration(.zero ... .seconds(60)), help: "random variation of the delay", example: "50ms"),
        FaultParameter("mechanism", .choice(LatencyMechanism.allCases.map(\.rawValue)),
                       help: "auto: netem where the kernel has it, else the packet engine (default); netem or packet-engine: only that one", example: "packet-engine"),
    ]
    public static let example = "latency api --delay 200ms --jitter 50ms --for 30s"

    public var delay: Duration
    public var jitter: Duration?
    public var mechanism: LatencyMechanism?

    public init(delay: Duration, jitter: Duration? = nil, mechanism: LatencyMechanism? = nil) {
        self.delay = delay
        self.jitter = jitter
        self.mechanism = mechanism
    }

    public init(_ input: ParameterInput) {
        delay = input.duration("delay") ?? .zero
        jitter = input.duration("jitter")
        mechanism = input.text("mechanism").flatMap(LatencyMechanism.init(rawValue:))
    }

    public var texts: [(key: String, texts: [String])] {
        [("delay", [ParameterTexts.duration(delay)])] + ParameterTexts.optional("jitter", jitter.map(ParameterTexts.duration))
            + ParameterTexts.optional("mechanism", mechanism?.rawValue)
    }

    public func action(hasWindow: Bool) -> any FaultAction {
        ShapingFault(.latency(delay: delay, jitter: jitter ?? .zero, mechanism: mechanism ?? .auto))
    }
}

/// What adds a `latency` fault's delay.
public enum LatencyMechanism: String, Sendable, Codable, CaseIterable {
    /// netem where the kernel has it, else the packet engine.
    case auto
    case netem
    case packetEngine = "packet-engine"
}
