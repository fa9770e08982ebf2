/// One fault as the ledger knows it: its intent and what happened since.
public struct LedgerEntry: Sendable, Equatable {
    public enum Status: String, Sendable {
        /// Intent recorded; the inject may or may not have reached the engine.
        case intended
        /// Injected and not yet reverted.
        case injected
        /// A revert was tried and failed; still open.
        case revertFailed = "revert-failed"
        /// Reverted (closed).
        case reverted
    }

    public let intent: LedgerRecord
    public var status: Status
    public var lastError: String?
    public var outcome: RevertOutcome?

    public var faultID: String { intent.faultID }
    public var isOpen: Bool { status != .reverted }
    public var targetName: String { intent.target?.name ?? "?" }

    /// Folds ledger records, in file order, into entries (intent order kept).
    public static func fold(_ records: [LedgerRecord]) -> [LedgerEntry] {
        var order: [String] = []
        var entries: [String: LedgerEntry] = [:]
        for record in records {
            switch record.event {
            case .intent:
                if entries[record.faultID] == nil { order.append(record.faultID) }
                entries[record.faultID] = LedgerEntry(intent: record, status: .intended)
            case .injected:
                if entries[record.faultID]?.status == .intended { entries[record.faultID]?.status = .injected }
            case .revertFailed:
                if entries[record.faultID]?.isOpen == true {
                    entries[record.faultID]?.status = .revertFailed
                    entries[record.faultID]?.lastError = record.error
                }
            case .reverted:
                entries[record.faultID]?.status = .reverted
                entries[record.faultID]?.outcome = record.outcome
            }
        }
        return order.compactMap { entries[$0] }
    }
}
