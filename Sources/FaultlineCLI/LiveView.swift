import Campaign
import FaultlineSupport
import Foundation
import Probes
import Synchronization

/// Shows a running campaign: event lines (phases, injects, reverts, probe state changes) and,
/// on a terminal, a status block redrawn twice a second at the bottom: elapsed time, what is
/// injected where, each probe's state and error rate.
final class LiveView: Sendable {
    private struct ProbeState {
        var samples = 0
        var failures = 0
        var lastReason = ""
    }

    private struct State {
        var probes: [String: ProbeState] = [:]
        var active: [Int: FaultWindow] = [:]
        var changes = OutcomeChanges()
        var phase = "starting"
        var drawnLines = 0
    }

    private let output: Output
    private let interactive: Bool
    private let state = Mutex(State())
    private let started = ContinuousClock.now
    private let ticker = Mutex<Task<Void, Never>?>(nil)

    init(output: Output, interactive: Bool = isatty(STDOUT_FILENO) == 1) {
        self.output = output
        self.interactive = interactive && !output.json
    }

    func start() {
        guard interactive else { return }
        let task = Task { [weak self] in
            while !Task.isCancelled {
                self?.redraw()
                try? await Task.sleep(for: .milliseconds(500))
            }
        }
        ticker.withLock { $0 = task }
    }

    func stop() {
        ticker.withLock { $0?.cancel() }
        if interactive { clearBlock() }
    }

    func handle(_ event: RunEvent) {
        switch event {
        case .phase(let phase):
            state.withLock { $0.phase = phase }
            line("phase", phase, ["phase": .string(phase)])
        case .steadyState(let result):
            line(result.passed ? "steady" : "unsteady", result.detail, ["held": .bool(result.passed), "detail": .string(result.detail)])
        case .aborting(let reason):
            line("aborting", reason + " — reverting everything", ["reason": .string(reason)])
        case .window(let window):
            windowEvent(window)
        case .sample(let sample):
            let change = state.withLock { state -> Bool in
                var probe = state.probes[sample.probe] ?? ProbeState()
                probe.samples += 1
                if !sample.outcome.isOK { probe.failures += 1 }
                probe.lastReason = sample.reason
                state.probes[sample.probe] = probe
                return state.changes.observe(sample)
            }
            if change {
                line("probe", OutcomeChanges.describe(sample),
                     ["probe": .string(sample.probe), "outcome": .string(sample.outcome.rawValue), "reason": .string(sample.reason)],
                     at: sample.startedAt)
            }
        }
    }

    private func windowEvent(_ window: FaultWindow) {
        let fields: [String: JSONValue] = ["fault": .integer(Int64(window.index)), "kind": .string(window.kind.rawValue),
                                           "container": .string(window.container), "at_ms": .number(window.injectAt.milliseconds)]
        if let error = window.error {
            state.withLock { _ = $0.active.removeValue(forKey: window.index) }
            line("failed", "\(window.title): \(error)", fields.merging(["error": .string(error)]) { _, new in new })
        } else if window.revertedAt != nil {
            state.withLock { _ = $0.active.removeValue(forKey: window.index) }
            let length = window.revertAt.map { DurationText.format($0 - window.injectAt) } ?? "?"
            let outcome = window.outcome ?? ""
            line("reverted", "\(window.title) after \(length): \(outcome)", fields.merging(["outcome": .string(outcome)]) { _, new in new })
        } else if window.revertAt == nil, window.injectedAt != nil {
            state.withLock { $0.active[window.index] = window }
            line("injected", "\(window.title) at \(DurationText.format(window.injectAt))", fields)
        }
    }

    private func line(_ verb: String, _ text: String, _ fields: [String: JSONValue], at date: Date = Date()) {
        if interactive { clearBlock() }
        output.event(verb, text, fields: fields, at: date)
        if interactive { redraw() }
    }

    private func clearBlock() {
        let lines = state.withLock { state -> Int in
            defer { state.drawnLines = 0 }
            return state.drawnLines
        }
        guard lines > 0 else { return }
        FileHandle.standardOutput.write(Data("\u{1B}[\(lines)A\u{1B}[J".utf8))
    }

    private func redraw() {
        let elapsed = ContinuousClock.now - started
        let block = state.withLock { state -> [String] in
            var lines = ["── \(DurationText.format(.seconds((elapsed.seconds * 10).rounded() / 10))) · \(state.phase)"]
            let active = state.active.values.sorted { $0.index < $1.index }.map { "\($0.summary) on \($0.container)" }
            lines.append("   injected: \(active.isEmpty ? "nothing" : active.joined(separator: ", "))")
            for (name, probe) in state.probes.sorted(by: { $0.key < $1.key }) {
                let rate = probe.samples == 0 ? 0 : Double(probe.failures) / Double(probe.samples) * 100
                let mark = state.changes.isOK(name) == false ? "✗" : "✓"
                lines.append(String(format: "   %@ %@  error rate %.1f%% (%d/%d)  %@", mark, name, rate, probe.failures, probe.samples, String(probe.lastReason.prefix(60))))
            }
            return lines
        }
        clearBlock()
        FileHandle.standardOutput.write(Data((block.joined(separator: "\n") + "\n").utf8))
        state.withLock { $0.drawnLines = block.count }
    }
}
