import FaultlineSupport
import Foundation
import Probes
import Synchronization

/// One line of a run's story, as the live view prints it and the daemon streams it: phases, the
/// steady state, injects and reverts, probes turning failing or ok again, the abort.
public struct RunEventLine: Codable, Sendable, Equatable {
    public let at: Date
    /// `phase`, `steady`, `unsteady`, `injected`, `reverted`, `failed`, `note`, `probe`, `aborting`, `verdict`.
    public let event: String
    public let text: String
    public var phase: String?
    public var fault: Int?
    public var kind: String?
    public var container: String?
    /// Offset of the inject from the run's start, in milliseconds.
    public var atMS: Double?
    public var outcome: String?
    public var error: String?
    public var probe: String?
    public var reason: String?
    public var held: Bool?

    public init(at: Date = Date(), event: String, text: String) {
        self.at = at
        self.event = event
        self.text = text
    }

    enum CodingKeys: String, CodingKey {
        case at, event, text, phase, fault, kind, container, atMS = "at_ms", outcome, error, probe, reason, held
    }
}

/// Turns a run's events into lines: probe samples only when their probe changes state, windows
/// when they are injected, reverted, fail or gain a note.
public final class RunNarrator: Sendable {
    private struct State {
        var changes = OutcomeChanges()
        var notes: [Int: Int] = [:]
    }
    private let state = Mutex(State())

    public init() {}

    /// The probe's latest state; nil before its first sample.
    public func isOK(_ probe: String) -> Bool? { state.withLock { $0.changes.isOK(probe) } }

    public func narrate(_ event: RunEvent) -> [RunEventLine] {
        switch event {
        case .phase(let phase):
            var line = RunEventLine(event: "phase", text: phase)
            line.phase = phase
            return [line]
        case .steadyState(let result):
            var line = RunEventLine(event: result.passed ? "steady" : "unsteady", text: result.detail)
            line.held = result.passed
            line.reason = result.detail
            return [line]
        case .aborting(let reason):
            var line = RunEventLine(event: "aborting", text: reason + " — reverting everything")
            line.reason = reason
            return [line]
        case .sample(let sample):
            guard state.withLock({ $0.changes.observe(sample) }) else { return [] }
            var line = RunEventLine(at: sample.startedAt, event: "probe", text: OutcomeChanges.describe(sample))
            line.probe = sample.probe
            line.outcome = sample.outcome.rawValue
            line.reason = sample.reason
            return [line]
        case .window(let window):
            return narrate(window)
        }
    }

    private func narrate(_ window: FaultWindow) -> [RunEventLine] {
        func line(_ event: String, _ text: String) -> RunEventLine {
            var line = RunEventLine(event: event, text: text)
            line.fault = window.index
            line.kind = window.kind.rawValue
            line.container = window.container
            line.atMS = window.injectAt.milliseconds
            return line
        }
        var lines: [RunEventLine] = []
        let notes = window.notes ?? []
        let told = state.withLock { state -> Int in
            defer { state.notes[window.index] = notes.count }
            return state.notes[window.index] ?? 0
        }
        for note in notes.dropFirst(told) { lines.append(line("note", "\(window.title): \(note)")) }
        if let error = window.error {
            var failed = line("failed", "\(window.title): \(error)")
            failed.error = error
            lines.append(failed)
        } else if window.revertedAt != nil {
            let length = window.revertAt.map { DurationText.format($0 - window.injectAt) } ?? "?"
            var reverted = line("reverted", "\(window.title) after \(length): \(window.outcome ?? "")")
            reverted.outcome = window.outcome ?? ""
            lines.append(reverted)
        } else if window.revertAt == nil, window.injectedAt != nil, notes.count == told {
            lines.append(line("injected", "\(window.title) at \(DurationText.format(window.injectAt))"))
        }
        return lines
    }
}
