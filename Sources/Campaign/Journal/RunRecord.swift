import Foundation
import Probes

/// Everything a run's reports are made from, read back from its journal (so `faultline report`
/// renders exactly what `run` rendered).
public struct RunRecord: Sendable {
    public var name: String = ""
    public var file: String = ""
    public var source: String = ""
    public var startedAt = Date()
    /// ok samples in a row that count as recovered (nil: a journal from before it was recorded).
    public var consecutiveOK: Int?
    /// The variables the campaign referred to (nil: a journal from before they were recorded).
    public var variables: CampaignVariables?
    public var plan: CampaignPlan?
    public var steadyState: (held: Bool, detail: String, at: Duration)?
    public var windows: [FaultWindow] = []
    public var samples: [String: [ProbeSample]] = [:]
    /// Probes fleet nodes' agents ran, with their clock offsets.
    public var nodeProbes: [NodeProbe] = []
    public var abortReason: String?
    public var verdict: CampaignVerdict?

    public init() {}

    /// Folds journal records (the last record of each window wins).
    public init(records: [JournalRecord]) {
        var windows: [Int: FaultWindow] = [:]
        for record in records {
            switch record {
            case .campaign(let name, let file, let source, let startedAt):
                self.name = name
                self.file = file
                self.source = source
                self.startedAt = startedAt
            case .settings(let consecutiveOK): self.consecutiveOK = consecutiveOK
            case .variables(let variables): self.variables = variables
            case .plan(let plan): self.plan = plan
            case .steadyState(let held, let detail, let at): steadyState = (held, detail, at)
            case .window(let window): windows[window.index] = window
            case .sample(let sample): samples[sample.probe, default: []].append(sample)
            case .nodeProbe(let probe): nodeProbes.append(probe)
            case .abort(let reason, _): abortReason = reason
            case .verdict(let verdict): self.verdict = verdict
            }
        }
        self.windows = windows.values.sorted { $0.index < $1.index }
    }

    public static func load(directory: String) throws -> RunRecord {
        RunRecord(records: try Journal.read(directory + "/journal.jsonl"))
    }

    /// The end of the samples on the run's timeline.
    public var end: Duration {
        samples.values.compactMap { $0.last.map { $0.offset + $0.latency } }.max() ?? .zero
    }

    public var probeNames: [String] { samples.keys.sorted() }
}
