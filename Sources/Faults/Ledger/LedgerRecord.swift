/// One line of the write-ahead fault ledger (JSON Lines, append-only).
///
/// An `intent` is written and flushed to disk **before** the engine is asked to inject; it carries
/// the revert plan. `injected` follows a successful inject; `reverted` closes the entry;
/// `revert-failed` records an attempt that did not succeed (the entry stays open).
public struct LedgerRecord: Codable, Sendable, Equatable {
    public enum Event: String, Codable, Sendable {
        case intent, injected, reverted
        case revertFailed = "revert-failed"
    }

    /// The container a fault targets.
    public struct Target: Codable, Sendable, Equatable {
        public let id: String
        public let name: String
        public init(id: String, name: String) {
            self.id = id
            self.name = name
        }
    }

    public let event: Event
    public let faultID: String
    /// ISO-8601 wall time of the record.
    public let at: String
    public var kind: FaultKind?
    public var summary: String?
    public var target: Target?
    public var revert: RevertPlan?
    /// When the fault must be reverted at the latest (window end + grace); nil for one-shot faults.
    public var deadline: String?
    public var owner: ProcessOwner?
    /// The engine the fault was injected through (`unix:///var/run/docker.sock`): recovery and the
    /// warden revert it there, never on whatever engine they happen to be pointed at.
    public var engine: String?
    public var outcome: RevertOutcome?
    public var error: String?

    public init(event: Event, faultID: String, at: String, kind: FaultKind? = nil, summary: String? = nil,
                target: Target? = nil, revert: RevertPlan? = nil, deadline: String? = nil,
                owner: ProcessOwner? = nil, engine: String? = nil, outcome: RevertOutcome? = nil, error: String? = nil) {
        self.event = event
        self.faultID = faultID
        self.at = at
        self.kind = kind
        self.summary = summary
        self.target = target
        self.revert = revert
        self.deadline = deadline
        self.owner = owner
        self.engine = engine
        self.outcome = outcome
        self.error = error
    }
}
