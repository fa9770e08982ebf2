import FaultlineSupport

/// A campaign whose plan cannot be made against the containers that exist.
public enum PlanError: Error, CustomStringConvertible, Equatable, ExitCodeClassified {
    case emptySelection(target: String, match: String, suggestions: [String])
    case blastRadius(containers: [String], limit: Int)
    case overlapping(kind: String, container: String, first: Duration, second: Duration)

    public var description: String {
        switch self {
        case .emptySelection(let target, let match, let suggestions):
            let hint = suggestions.isEmpty ? "" : "; did you mean \(suggestions.map { "'\($0)'" }.joined(separator: " or "))?"
            return "target '\(target)' (\(match)) matches no container that may be targeted\(hint) (see `faultline targets`)"
        case .blastRadius(let containers, let limit):
            return "the plan touches \(containers.count) containers (\(containers.sorted().joined(separator: ", "))) but settings.blast_radius allows \(limit)"
        case .overlapping(let kind, let container, let first, let second):
            return "the plan has overlapping \(kind) faults on \(container) (at \(first.formatted) and \(second.formatted)); space them out or use another seed"
        }
    }

    public var exitCode: FaultlineExitCode { .invalidInput }
}
