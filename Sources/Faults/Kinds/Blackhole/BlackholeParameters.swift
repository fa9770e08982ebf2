/// `blackhole`: traffic to given ports dropped without an answer.
public struct BlackholeParameters: FaultParameters {
    public static let kind = FaultKind.blackhole
    public static let purpose = "Drop traffic to given ports without an answer (clients hang until their time-outs)."
    public static let revert = "the marked rules deleted"
    public static let window = FaultWindowUse.required
    public static let parameters = [
        FaultParameter("ports", option: "port", .port, required: true, repeatable: true, help: "ports to drop", example: "5432"),
        FaultParameter.direction(default: .inbound),
    ]
    public static let example = "blackhole db --port 5432 --for 15s"

    public var ports: [String]
    public var direction: TrafficDirection?

    public init(ports: [String], direction: TrafficDirection? = nil) {
        self.ports = ports
        self.direction = direction
    }

    public init(_ input: ParameterInput) {
        ports = input.texts("ports") ?? []
        direction = input.text("direction").flatMap(TrafficDirection.init(rawValue:))
    }

    public var texts: [(key: String, texts: [String])] {
        [("ports", ports)] + ParameterTexts.optional("direction", direction?.rawValue)
    }

    public func action(hasWindow: Bool) -> any FaultAction {
        BlackholeFault(ports: ports.compactMap(BlackholeFault.Port.parse), direction: direction ?? .inbound)
    }
}
