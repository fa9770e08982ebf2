/// `drain`: a Swarm node's availability set to `drain` (Swarm moves its tasks to other nodes) or
/// `pause` (its tasks keep running, no new ones are placed there) for the window, through a
/// manager. It acts on a node, not a container, so campaigns take it (the node is a fleet's
/// Swarm node, checked at plan time).
public struct DrainParameters: FaultParameters {
    public static let kind = FaultKind.drain
    public static let purpose = "Set a Swarm node's availability to drain (its tasks move to other nodes) or pause, through a manager."
    public static let revert = "the node's availability set back to what it was, the rest of its spec untouched (left alone if someone else changed it meanwhile)"
    public static let window = FaultWindowUse.required
    public static let availabilities = ["drain", "pause"]
    public static let parameters = [
        FaultParameter("node", .name, required: true, help: "the Swarm node: its host name or id", example: "node2"),
        FaultParameter("availability", .choice(availabilities), help: "what the node is set to (default drain)", example: "pause"),
        FaultParameter("all_replicas", .flag,
                       help: "drain even when the node runs every running replica of a service (that service goes down until Swarm starts it elsewhere); refused otherwise (default false)",
                       example: "true"),
    ]
    public static let example = "(campaigns only: { drain: { node: node2 } } with a Swarm manager)"

    public var node: String
    public var availability: String
    /// The campaign says so: a drain may stop every running replica of a service.
    public var allReplicas: Bool

    public init(node: String, availability: String = "drain", allReplicas: Bool = false) {
        self.node = node
        self.availability = availability
        self.allReplicas = allReplicas
    }

    public init(_ input: ParameterInput) throws(ParameterError) {
        node = input.text("node") ?? ""
        availability = input.text("availability") ?? "drain"
        allReplicas = input.flag("all_replicas") ?? false
    }

    public var texts: [(key: String, texts: [String])] {
        [("node", [node])] + (availability == "drain" ? [] : [("availability", [availability])])
            + (allReplicas ? [("all_replicas", ["true"])] : [])
    }

    public func action(hasWindow: Bool) -> any FaultAction { NotOnContainers(kind: .drain, summary: summary) }
    public var summary: String { availability == "drain" ? "drain" : "drain (availability \(availability))" }

    /// The fault on its node, found by id or host name through the environment's Swarm manager.
    public var nodeFault: DrainFault { DrainFault(availability: availability, summary: summary) }
}
