import Faults
import FaultlineSupport

/// One fault as a campaign names it: the target selector and the kind's parameters (its one
/// definition in `Faults/Kinds`), or partition groups the plan expands.
public struct FaultSpec: Sendable, Equatable, Codable {
    /// The name of a target selector (a proxy's target id for toxics).
    public var target: String
    /// The kind's parameters; the kind is theirs.
    public var parameters: any FaultParameters
    /// partition: groups of target names; each loses the other groups (expanded by the plan into
    /// one peer partition per container).
    public var groups: [[String]]?

    public var kind: FaultKind { type(of: parameters).kind }

    public init(target: String, parameters: any FaultParameters, groups: [[String]]? = nil) {
        self.target = target
        self.parameters = parameters
        self.groups = groups
    }

    /// A kind whose parameters are all optional, with none given (`pause`, `restart`).
    public init(kind: FaultKind, target: String) {
        guard let parameters = try? kind.definition.read([]) else {
            preconditionFailure("\(kind.rawValue) has required parameters: give them")
        }
        self.init(target: target, parameters: parameters)
    }

    /// The fault action to inject; `hasWindow` decides whether a kill is started again.
    public func action(hasWindow: Bool) -> any FaultAction { parameters.action(hasWindow: hasWindow) }

    /// `pause`, `cpu 0.2`, `kill SIGTERM`, `memory 64MiB`.
    public var summary: String {
        if let groups { return "partition " + groups.map { $0.joined(separator: ",") }.joined(separator: " | ") }
        return parameters.summary
    }

    /// The partition parameters changed (peers resolved to names, groups expanded).
    func withPartition(_ change: (inout PartitionParameters) -> Void) -> FaultSpec {
        var copy = self
        if var partition = parameters as? PartitionParameters {
            change(&partition)
            copy.parameters = partition
        }
        return copy
    }

    // The journal and the daemon keep one flat object: kind, target, groups and the kind's
    // parameters side by side (the shape older journals have).
    enum CodingKeys: String, CodingKey { case kind, target, groups }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try container.decode(FaultKind.self, forKey: .kind)
        target = try container.decode(String.self, forKey: .target)
        groups = try container.decodeIfPresent([[String]].self, forKey: .groups)
        parameters = try kind.definition.init(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encode(target, forKey: .target)
        try container.encodeIfPresent(groups, forKey: .groups)
        try parameters.encode(to: encoder)
    }

    public static func == (left: FaultSpec, right: FaultSpec) -> Bool {
        left.target == right.target && left.groups == right.groups && left.parameters.isEqual(to: right.parameters)
    }
}

extension FaultParameters {
    /// Equality across the existential: the same kind with the same values.
    func isEqual(to other: any FaultParameters) -> Bool {
        guard let other = other as? Self else { return false }
        return self == other
    }
}
