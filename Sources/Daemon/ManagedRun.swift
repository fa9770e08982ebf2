import Campaign
import Faults
import FaultlineSupport
import Foundation
import Probes
import Synchronization

/// One run the daemon carries out: its record, its campaign and plan, the runner while it runs,
/// what followers see, and the live figures `GET /v1/runs/{id}` answers with.
final class ManagedRun: Sendable {
    let id: String
    let campaign: CampaignDefinition
    let source: String
    let file: String
    let log = RunEventLog()
    let narrator = RunNarrator()

    private struct Live {
        var summary: RunSummary
        var plan: CampaignPlan?
        var runner: CampaignRunner?
        var task: Task<Void, Never>?
        var phase = "queued"
        var probes: [String: ProbeFigures] = [:]
        var windows: [Int: FaultWindow] = [:]
        var counted: Set<String> = []
        var checks: [CheckResult] = []
        var reports: [String] = []
    }
    private let live: Mutex<Live>

    init(summary: RunSummary, campaign: CampaignDefinition, source: String, file: String, plan: CampaignPlan?) {
        self.id = summary.id
        self.campaign = campaign
        self.source = source
        self.file = file
        self.live = Mutex(Live(summary: summary, plan: plan))
    }

    var summary: RunSummary { live.withLock { $0.summary } }
    var plan: CampaignPlan? { live.withLock { $0.plan } }
    var runner: CampaignRunner? { live.withLock { $0.runner } }
    var task: Task<Void, Never>? { live.withLock { $0.task } }

    func update(_ change: (inout RunSummary) -> Void) -> RunSummary {
        live.withLock { live in
            change(&live.summary)
            return live.summary
        }
    }

    func attach(runner: CampaignRunner, plan: CampaignPlan) { live.withLock { $0.runner = runner; $0.plan = plan } }
    func attach(task: Task<Void, Never>) { live.withLock { $0.task = task } }

    func finish(checks: [CheckResult], reports: [String]) {
        live.withLock { live in
            live.checks = checks
            live.reports = reports
            live.runner = nil
            live.phase = "ended"
        }
    }

    /// Records an event for the figures; returns which windows were newly injected / reverted (for metrics).
    func observe(_ event: RunEvent) -> (injected: FaultWindow?, reverted: FaultWindow?) {
        live.withLock { live in
            switch event {
            case .phase(let phase):
                live.phase = phase
            case .sample(let sample):
                var figures = live.probes[sample.probe] ?? ProbeFigures()
                figures.samples += 1
                if !sample.outcome.isOK { figures.failures += 1 }
                figures.lastOutcome = sample.outcome.rawValue
                figures.lastReason = sample.reason
                live.probes[sample.probe] = figures
            case .window(let window):
                live.windows[window.index] = window
                var injected: FaultWindow?, reverted: FaultWindow?
                if window.injectedAt != nil, live.counted.insert("i\(window.index)").inserted { injected = window }
                if window.revertedAt != nil, live.counted.contains("i\(window.index)"), live.counted.insert("r\(window.index)").inserted { reverted = window }
                return (injected, reverted)
            case .steadyState, .aborting:
                break
            }
            return (nil, nil)
        }
    }

    /// What `GET /v1/runs/{id}` answers.
    var detail: RunDetail {
        live.withLock { live in
            RunDetail(run: live.summary, phase: live.phase, probes: live.probes,
                      windows: live.windows.values.sorted { $0.index < $1.index }.map(WindowView.init),
                      checks: live.checks, reports: live.reports)
        }
    }
}

/// A probe's figures so far in a run.
public struct ProbeFigures: Codable, Sendable, Equatable {
    public var samples = 0
    public var failures = 0
    public var lastOutcome: String?
    public var lastReason: String?

    public var errorRate: Double { samples == 0 ? 0 : Double(failures) / Double(samples) }

    enum CodingKeys: String, CodingKey { case samples, failures, lastOutcome = "last_outcome", lastReason = "last_reason", errorRate = "error_rate" }

    public init() {}

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        samples = try container.decode(Int.self, forKey: .samples)
        failures = try container.decode(Int.self, forKey: .failures)
        lastOutcome = try container.decodeIfPresent(String.self, forKey: .lastOutcome)
        lastReason = try container.decodeIfPresent(String.self, forKey: .lastReason)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(samples, forKey: .samples)
        try container.encode(failures, forKey: .failures)
        try container.encodeIfPresent(lastOutcome, forKey: .lastOutcome)
        try container.encodeIfPresent(lastReason, forKey: .lastReason)
        try container.encode(errorRate, forKey: .errorRate)
    }
}

/// A fault window as the API shows it: offsets from the run's start in milliseconds.
public struct WindowView: Codable, Sendable, Equatable {
    public let index: Int
    public let kind: String
    public let summary: String
    public let target: String
    public let container: String
    public let injectAtMS: Double
    public let injectedAtMS: Double?
    public let revertAtMS: Double?
    public let revertedAtMS: Double?
    public let outcome: String?
    public let error: String?
    public let notes: [String]?

    init(_ window: FaultWindow) {
        index = window.index
        kind = window.kind.rawValue
        summary = window.summary
        target = window.selector
        container = window.container
        injectAtMS = window.injectAt.milliseconds
        injectedAtMS = window.injectedAt?.milliseconds
        revertAtMS = window.revertAt?.milliseconds
        revertedAtMS = window.revertedAt?.milliseconds
        outcome = window.outcome
        error = window.error
        notes = window.notes
    }

    enum CodingKeys: String, CodingKey {
        case index, kind, summary, target, container, outcome, error, notes
        case injectAtMS = "inject_at_ms", injectedAtMS = "injected_at_ms", revertAtMS = "revert_at_ms", revertedAtMS = "reverted_at_ms"
    }
}

/// One run in full: its record, where it is, the live figures, and when finished the checks and reports.
public struct RunDetail: Codable, Sendable {
    public let run: RunSummary
    public let phase: String
    public let probes: [String: ProbeFigures]
    public let windows: [WindowView]
    public let checks: [CheckResult]
    /// Report file names in the run's directory (`report.json`, `junit.xml`, `summary.md`, `report.html`).
    public let reports: [String]
}
