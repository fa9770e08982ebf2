import DockerEngine
import FaultlineSupport

/// Turns what a user typed (a name, an id or id prefix, or a compose service) into one container,
/// refusing protected containers and faultline's own.
public struct TargetResolver: Sendable {
    /// Containers carrying this label (with any value but an explicit no) are never targeted.
    public static let protectLabel = TargetProtection.label
    public static let composeServiceLabel = "com.docker.compose.service"
    public static let composeProjectLabel = "com.docker.compose.project"

    let containers: any ContainerInspecting
    /// faultline's own container id when it runs in one (never a target).
    let ownContainerID: String?

    public init(containers: any ContainerInspecting, ownContainerID: String? = SelfContainer.current) {
        self.containers = containers
        self.ownContainerID = ownContainerID
    }

    public func resolve(_ reference: String) async throws -> ContainerDetails {
        let wanted = reference.hasPrefix("/") ? String(reference.dropFirst()) : reference
        guard !wanted.isEmpty else { throw TargetError.empty }
        let details: ContainerDetails
        if let direct = try await directly(wanted) {
            details = direct
        } else {
            let all = try await containers.listContainers(all: true, filters: ContainerFilters())
            let match = try Self.pick(wanted, from: all)
            details = try await containers.inspectContainer(match.id)
        }
        if let refusal = TargetProtection.refusal(for: details, ownContainerID: ownContainerID) { throw refusal }
        return details
    }

    /// The common case in one engine call: the engine's own inspect by name or id, kept only when it
    /// found what `pick` would (the exact name, or an id the reference is a 3+ character prefix of).
    /// nil sends the reference through the container list: a compose service, an ambiguous prefix,
    /// a typo (whose error names what exists).
    private func directly(_ wanted: String) async throws -> ContainerDetails? {
        let found: ContainerDetails
        do {
            found = try await containers.inspectContainer(wanted)
        } catch let error as DockerEngineError where error.status == 404 || error.status == 400 {
            return nil
        }
        return found.name == wanted || Self.isIDPrefix(wanted, of: found.id) ? found : nil
    }

    /// Whether `wanted` names the container with `id` by id: the full id or a prefix of 3+ hex digits.
    static func isIDPrefix(_ wanted: String, of id: String) -> Bool {
        wanted.count >= 3 && wanted.allSatisfy(\.isHexDigit) && id.hasPrefix(wanted)
    }

    /// Exact name, then full id or unique id prefix (3+ characters), then unique compose service.
    static func pick(_ wanted: String, from all: [ContainerSummary]) throws -> ContainerSummary {
        if let byName = all.first(where: { $0.names.contains { $0 == wanted || $0 == "/" + wanted } }) {
            return byName
        }
        if wanted.count >= 3, wanted.allSatisfy(\.isHexDigit) {
            let byID = all.filter { Self.isIDPrefix(wanted, of: $0.id) }
            if byID.count == 1 { return byID[0] }
            if byID.count > 1 { throw TargetError.ambiguous(reference: wanted, candidates: byID.map(\.name)) }
        }
        let byService = all.filter { $0.labels?[composeServiceLabel] == wanted }
        if byService.count == 1 { return byService[0] }
        if byService.count > 1 { throw TargetError.ambiguous(reference: wanted, candidates: byService.map(\.name)) }
        let names = all.map(\.name).sorted()
        throw TargetError.notFound(reference: wanted, suggestions: NameSuggestions.closest(to: wanted, among: names), existing: names)
    }
}

/// A target that cannot be used.
public enum TargetError: Error, CustomStringConvertible, ExitCodeClassified {
    case empty
    case notFound(reference: String, suggestions: [String], existing: [String])
    case ambiguous(reference: String, candidates: [String])
    case protected(name: String, value: String)
    case ownContainer(name: String)

    public var description: String {
        switch self {
        case .empty:
            return "no target given"
        case .notFound(let reference, let suggestions, let existing):
            var text = "no container named '\(reference)'"
            if !suggestions.isEmpty { text += "; did you mean \(suggestions.map { "'\($0)'" }.joined(separator: " or "))?" }
            if existing.isEmpty {
                text += " (the engine has no containers)"
            } else {
                let shown = existing.prefix(12).joined(separator: ", ")
                text += " (containers: \(shown)\(existing.count > 12 ? ", … \(existing.count - 12) more; see `faultline targets`" : ""))"
            }
            return text
        case .ambiguous(let reference, let candidates):
            return "'\(reference)' matches several containers: \(candidates.sorted().joined(separator: ", ")); use a full name"
        case .protected(let name, let value):
            return "refusing to target \(name): it carries the label \(TargetResolver.protectLabel)=\(value) (only false, 0, no or off leave a container unprotected)"
        case .ownContainer(let name):
            return "refusing to target \(name): faultline itself runs in it"
        }
    }

    public var exitCode: FaultlineExitCode { .invalidInput }
}
