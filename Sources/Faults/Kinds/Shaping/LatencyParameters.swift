/// `latency`: packets delayed (`netem`, where the kernel has it).
public struct LatencyParameters: FaultParameters {
    public static let kind = FaultKind.latency
    public static let purpose = "Delay the packets the container sends (netem, where the kernel has it; else put a proxy toxic in front)."
    public static let revert = "the reserved-handle qdisc deleted"
    public static let window = FaultWindowUse.required
    public static let parameters = [
        FaultParameter("delay", .duration(.milliseconds(1) ... .seconds(60)), required: true, help: "added delay", example: "200ms"),
        FaultParameter("jitter", .duration(.zero ... .seconds(60)), help: "random variation of the delay", example: "50ms"),
    ]
    public static let example = "latency api --delay 200ms --jitter 50ms --for 30s"

    public var delay: Duration
    public var jitter: Duration?

    public init(delay: Duration, jitter: Duration? = nil) {
        self.delay = delay
        self.jitter = jitter
    }

    public init(_ input: ParameterInput) {
        delay = input.duration("delay") ?? .zero
        jitter = input.duration("jitter")
    }

    public var texts: [(key: String, texts: [String])] {
        [("delay", [ParameterTexts.duration(delay)])] + ParameterTexts.optional("jitter", jitter.map(ParameterTexts.duration))
    }

    public func action(hasWindow: Bool) -> any FaultAction { ShapingFault(.latency(delay: delay, jitter: jitter ?? .zero)) }
}
