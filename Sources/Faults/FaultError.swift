import FaultlineSupport

/// A fault that cannot be applied to its target as asked, or that failed while applying.
public enum FaultError: Error, CustomStringConvertible, ExitCodeClassified {
    /// The target is not in a state the fault applies to (e.g. pausing a stopped container).
    case notApplicable(kind: FaultKind, target: String, reason: String)
    /// The host lacks what the fault needs (a kernel feature, cgroup access); says what to use instead.
    case unsupported(kind: FaultKind, reason: String)
    /// The inject call failed; what was captured has been reverted.
    case injectFailed(kind: FaultKind, target: String, cause: any Error, revert: String)

    public var description: String {
        switch self {
        case .notApplicable(let kind, let target, let reason):
            return "cannot inject \(kind.rawValue) on \(target): \(reason)"
        case .unsupported(let kind, let reason):
            return "\(kind.rawValue) faults are not available here: \(reason)"
        case .injectFailed(let kind, let target, let cause, let revert):
            return "injecting \(kind.rawValue) on \(target) failed: \(cause); revert: \(revert)"
        }
    }

    public var exitCode: FaultlineExitCode {
        switch self {
        case .notApplicable: return .invalidInput
        case .unsupported, .injectFailed: return .infrastructure
        }
    }
}
