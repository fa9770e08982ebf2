import DockerEngine
import Faults
import FaultlineSupport

/// Resolves a campaign's target selectors against the engine's containers. Protected containers
/// (`faultline.protect=true`) and faultline's own never match; an empty selection is an error.
public struct TargetMatcher: Sendable {
    let ownContainerID: String?

    public init(ownContainerID: String? = SelfContainer.detectID()) { self.ownContainerID = ownContainerID }

    public func resolve(_ selectors: [TargetSelector], among containers: [ContainerSummary]) throws(PlanError) -> [String: [PlannedTarget]] {
        let eligible = containers.filter { container in
            let protected = TargetProtection.isProtected(container.labels)
            let own = TargetProtection.isOwn(container.id, ownContainerID: ownContainerID)
            return !protected && !own && container.state != "removing" && container.state != "dead"
        }
        var resolved: [String: [PlannedTarget]] = [:]
        for selector in selectors {
            let matched = eligible.filter { matches(selector.match, $0) }.sorted { $0.name < $1.name }
            guard !matched.isEmpty else {
                let names = eligible.map(\.name).sorted()
                throw PlanError.emptySelection(target: selector.name, match: selector.matchDescription,
                                               suggestions: Self.suggestions(for: selector, among: names))
            }
            resolved[selector.name] = matched.map { PlannedTarget(id: $0.id, name: $0.name) }
        }
        return resolved
    }

    func matches(_ match: TargetSelector.Match, _ container: ContainerSummary) -> Bool {
        let labels = container.labels ?? [:]
        switch match {
        case .name(let name): return container.names.contains { $0 == name || $0 == "/" + name }
        case .nameRegex(let pattern):
            guard let regex = try? Regex(pattern) else { return false }
            // Searched in the name, like grep: anchor with ^ and $ for the whole name.
            return container.name.firstMatch(of: regex) != nil
        case .labels(let wanted):
            return wanted.allSatisfy { label in
                if let equals = label.firstIndex(of: "=") {
                    return labels[String(label[..<equals])] == String(label[label.index(after: equals)...])
                }
                return labels[label] != nil
            }
        case .compose(let project, let service):
            return (project.map { labels[TargetResolver.composeProjectLabel] == $0 } ?? true)
                && (service.map { labels[TargetResolver.composeServiceLabel] == $0 } ?? true)
        }
    }

    static func suggestions(for selector: TargetSelector, among names: [String]) -> [String] {
        if case .name(let name) = selector.match {
            return NameSuggestions.closest(to: name, among: names)
        }
        return []
    }
}
