/// A named set of containers a campaign may act on.
public struct TargetSelector: Sendable, Equatable {
    /// How containers are matched.
    public enum Match: Sendable, Equatable {
        case name(String)
        case nameRegex(String)
        /// `key` or `key=value`; all must match.
        case labels([String])
        case compose(project: String?, service: String?)
    }

    /// How many of the matching containers each fault acts on.
    public enum Pick: Sendable, Equatable {
        case all
        case random(Int)
        case percent(Double)
    }

    public var name: String
    public var match: Match
    public var pick: Pick = .all

    public init(name: String, match: Match, pick: Pick = .all) {
        self.name = name
        self.match = match
        self.pick = pick
    }

    public var matchDescription: String {
        switch match {
        case .name(let name): return "name \(name)"
        case .nameRegex(let pattern): return "name matching /\(pattern)/"
        case .labels(let labels): return "labels \(labels.joined(separator: ", "))"
        case .compose(let project, let service):
            return "compose " + [project.map { "project \($0)" }, service.map { "service \($0)" }].compactMap { $0 }.joined(separator: ", ")
        }
    }
}
