import FaultlineSupport

/// A run that could not be carried out (not a hypothesis violation).
public enum CampaignRunError: Error, CustomStringConvertible, ExitCodeClassified {
    case journal(String)
    case replay(String)
    /// A campaign proxy could not start or is missing.
    case proxy(String)
    /// A fleet node or its agent could not be reached or asked.
    case fleet(String)

    public var description: String {
        switch self {
        case .journal(let message): return "journal: \(message)"
        case .replay(let message): return "replay: \(message)"
        case .proxy(let message): return "proxy: \(message)"
        case .fleet(let message): return "fleet: \(message)"
        }
    }

    public var exitCode: FaultlineExitCode {
        switch self {
        case .journal, .proxy, .fleet: return .infrastructure
        case .replay: return .invalidInput
        }
    }
}
