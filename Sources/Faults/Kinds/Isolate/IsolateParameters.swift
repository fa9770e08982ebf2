/// `isolate`: a Swarm node cut off from the other nodes for the window — marked iptables rules in
/// the node's own network namespace drop what it sends to them and what it gets from them, its
/// containers' forwarded traffic included (overlay networks, Swarm's gossip and control, published
/// ports). Carried out by the agent on that node. Campaigns take it; the plan turns the nodes of
/// `from` into their addresses.
public struct IsolateParameters: FaultParameters {
    public static let kind = FaultKind.isolate
    public static let purpose = "Cut a Swarm node off from the other nodes (or those named), both ways, with marked iptables rules on that node."
    public static let revert = "the marked iptables rules deleted from the node's network namespace (nothing else touched)"
    public static let window = FaultWindowUse.required
    public static let parameters = [
        FaultParameter("node", .name, required: true, help: "the Swarm node to cut off: its host name or id", example: "node2"),
        FaultParameter("from", .name, repeatable: true,
                       help: "cut it off from these nodes (names or ids) or addresses/CIDRs only (default every other node)", example: "node1"),
    ]
    public static let example = "(campaigns only: { isolate: { node: node2 } } with a Swarm manager)"

    public var node: String
    /// Node names or ids as the campaign gives them; addresses/CIDRs once planned (what an agent takes).
    public var from: [String]?

    public init(node: String, from: [String]? = nil) {
        self.node = node
        self.from = from
    }

    public init(_ input: ParameterInput) throws(ParameterError) {
        node = input.text("node") ?? ""
        from = input.texts("from")
        if let from, from.isEmpty { throw ParameterError(key: "from", "name at least one node in \(parameter: "from"), or leave it out (every other node)") }
    }

    public var texts: [(key: String, texts: [String])] { [("node", [node])] + ParameterTexts.list("from", from) }

    public func action(hasWindow: Bool) -> any FaultAction { NotOnContainers(kind: .isolate, summary: summary) }
    public var summary: String { from.map { "isolate from \($0.joined(separator: ","))" } ?? "isolate" }

    /// The fault on the node this process runs on; `from` must hold addresses or CIDRs by now.
    public var nodeFault: IsolateFault { IsolateFault(peers: from ?? [], summary: summary) }
}
