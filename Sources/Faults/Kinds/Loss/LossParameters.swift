/// `loss`: a random share of packets dropped (iptables `statistic`).
public struct LossParameters: FaultParameters {
    public static let kind = FaultKind.loss
    public static let purpose = "Drop a random share of packets (iptables statistic; the container's loopback is exempt), optionally of some ports only."
    public static let revert = "the marked rules deleted"
    public static let window = FaultWindowUse.required
    public static let parameters = [
        FaultParameter("probability", .number(0.001...1, unit: "share of packets"), required: true, help: "share of packets dropped", example: "0.3"),
        FaultParameter.direction(default: .both),
        FaultParameter("ports", option: "port", .port, repeatable: true, help: "only the traffic of these ports of the container", example: "5432"),
    ]
    public static let example = "loss api --probability 0.3 --for 20s"

    public var probability: Double
    public var direction: TrafficDirection?
    public var ports: [String]?

    public init(probability: Double, direction: TrafficDirection? = nil, ports: [String]? = nil) {
        self.probability = probability
        self.direction = direction
        self.ports = ports
    }

    public init(_ input: ParameterInput) {
        probability = input.number("probability") ?? 0
        direction = input.text("direction").flatMap(TrafficDirection.init(rawValue:))
        ports = input.texts("ports")
    }

    public var texts: [(key: String, texts: [String])] {
        [("probability", [ParameterTexts.number(probability)])] + ParameterTexts.optional("direction", direction?.rawValue)
            + ParameterTexts.list("ports", ports)
    }

    public func action(hasWindow: Bool) -> any FaultAction {
        LossFault(probability: probability, direction: direction ?? .both, ports: (ports ?? []).compactMap(BlackholeFault.Port.parse))
    }
}
