import Foundation
import Probes

/// One line of a run's journal (`journal.jsonl`): the campaign as given, the expanded plan, every
/// inject and revert, every probe sample, every verdict — enough to re-render the reports or
/// replay the run.
public enum JournalRecord: Sendable, Codable {
    /// The campaign file as given.
    case campaign(name: String, file: String, source: String, startedAt: Date)
    /// The parsed settings the figures depend on, so reports never parse the campaign again.
    case settings(consecutiveOK: Int)
    /// Which variables the campaign referred to and whether each was set — never their values.
    case variables(CampaignVariables)
    case plan(CampaignPlan)
    /// Steady state before the first fault.
    case steadyState(held: Bool, detail: String, at: Duration)
    case window(FaultWindow)
    case sample(ProbeSample)
    /// A probe run by a fleet node's agent, with the clock offset its samples were corrected by.
    case nodeProbe(NodeProbe)
    case abort(reason: String, at: Duration)
    case verdict(CampaignVerdict)

    enum CodingKeys: String, CodingKey { case type, name, file, source, startedAt, consecutiveOK, variables, plan, held, detail, at, window, sample, nodeProbe, reason, verdict }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(String.self, forKey: .type) {
        case "campaign":
            self = .campaign(name: try container.decode(String.self, forKey: .name), file: try container.decode(String.self, forKey: .file),
                             source: try container.decode(String.self, forKey: .source), startedAt: try container.decode(Date.self, forKey: .startedAt))
        case "settings": self = .settings(consecutiveOK: try container.decode(Int.self, forKey: .consecutiveOK))
        case "variables": self = .variables(try container.decode(CampaignVariables.self, forKey: .variables))
        case "plan": self = .plan(try container.decode(CampaignPlan.self, forKey: .plan))
        case "steady-state":
            self = .steadyState(held: try container.decode(Bool.self, forKey: .held), detail: try container.decode(String.self, forKey: .detail),
                                at: try container.decode(Duration.self, forKey: .at))
        case "window": self = .window(try container.decode(FaultWindow.self, forKey: .window))
        case "sample": self = .sample(try container.decode(ProbeSample.self, forKey: .sample))
        case "node-probe": self = .nodeProbe(try container.decode(NodeProbe.self, forKey: .nodeProbe))
        case "abort": self = .abort(reason: try container.decode(String.self, forKey: .reason), at: try container.decode(Duration.self, forKey: .at))
        case "verdict": self = .verdict(try container.decode(CampaignVerdict.self, forKey: .verdict))
        case let other: throw DecodingError.dataCorruptedError(forKey: .type, in: container, debugDescription: "unknown journal record '\(other)'")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .campaign(let name, let file, let source, let startedAt):
            try container.encode("campaign", forKey: .type)
            try container.encode(name, forKey: .name)
            try container.encode(file, forKey: .file)
            try container.encode(source, forKey: .source)
            try container.encode(startedAt, forKey: .startedAt)
        case .settings(let consecutiveOK):
            try container.encode("settings", forKey: .type)
            try container.encode(consecutiveOK, forKey: .consecutiveOK)
        case .variables(let variables):
            try container.encode("variables", forKey: .type)
            try container.encode(variables, forKey: .variables)
        case .plan(let plan):
            try container.encode("plan", forKey: .type)
            try container.encode(plan, forKey: .plan)
        case .steadyState(let held, let detail, let at):
            try container.encode("steady-state", forKey: .type)
            try container.encode(held, forKey: .held)
            try container.encode(detail, forKey: .detail)
            try container.encode(at, forKey: .at)
        case .window(let window):
            try container.encode("window", forKey: .type)
            try container.encode(window, forKey: .window)
        case .sample(let sample):
            try container.encode("sample", forKey: .type)
            try container.encode(sample, forKey: .sample)
        case .nodeProbe(let probe):
            try container.encode("node-probe", forKey: .type)
            try container.encode(probe, forKey: .nodeProbe)
        case .abort(let reason, let at):
            try container.encode("abort", forKey: .type)
            try container.encode(reason, forKey: .reason)
            try container.encode(at, forKey: .at)
        case .verdict(let verdict):
            try container.encode("verdict", forKey: .type)
            try container.encode(verdict, forKey: .verdict)
        }
    }
}
