/// A named set of containers a campaign may act on.
public struct TargetSelector: Sendable, Equatable {
    /// How containers are matched.
    public enum Match: Sendable, Equatable {
        case name(String)
        case nameRegex(String)
        /// `key` or `key=value`; all must match.
        case labels([String])
        case compose(project: String?, service: String?)
        /// Tasks of a Swarm service (by their containers' labels).
        case swarm(SwarmMatch)
        /// Every container (of the selector's node: a selector names a matcher, a node, or both).
        case everyContainer
    }

    /// A Swarm selector: a service's tasks, of a stack, in a slot; each part only when given.
    public struct SwarmMatch: Sendable, Equatable {
        public var service: String?
        public var stack: String?
        public var slot: Int?
        /// A fault may act on every running replica of a service at once (otherwise refused).
        public var allReplicas: Bool

        public init(service: String? = nil, stack: String? = nil, slot: Int? = nil, allReplicas: Bool = false) {
            self.service = service
            self.stack = stack
            self.slot = slot
            self.allReplicas = allReplicas
        }
    }

    /// How many of the matching containers each fault acts on.
    public enum Pick: Sendable, Equatable {
        case all
        case random(Int)
        case percent(Double)

        /// How many of `candidates` matching containers one fault acts on.
        public func count(of candidates: Int) -> Int {
            switch self {
            case .all: return candidates
            case .random(let count): return min(count, candidates)
            case .percent(let percent): return min(candidates, max(1, Int((Double(candidates) * percent / 100).rounded(.up))))
            }
        }
    }

    public var name: String
    public var match: Match
    public var pick: Pick = .all
    /// Only containers of this fleet node (nil: of every node, or of the one engine without a fleet).
    public var node: String?

    public init(name: String, match: Match, pick: Pick = .all, node: String? = nil) {
        self.name = name
        self.match = match
        self.pick = pick
        self.node = node
    }

    public var matchDescription: String {
        let matched = matchedDescription
        guard let node else { return matched }
        return match == .everyContainer ? "node \(node)" : "\(matched) on node \(node)"
    }

    private var matchedDescription: String {
        switch match {
        case .everyContainer: return "every container"
        case .name(let name): return "name \(name)"
        case .nameRegex(let pattern): return "name matching /\(pattern)/"
        case .labels(let labels): return "labels \(labels.joined(separator: ", "))"
        case .compose(let project, let service):
            return "compose " + [project.map { "project \($0)" }, service.map { "service \($0)" }].compactMap { $0 }.joined(separator: ", ")
        case .swarm(let swarm):
            return "swarm " + [swarm.stack.map { "stack \($0)" }, swarm.service.map { "service \($0)" }, swarm.slot.map { "slot \($0)" }]
                .compactMap { $0 }.joined(separator: ", ")
        }
    }
}
