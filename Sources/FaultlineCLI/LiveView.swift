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
        var phase = "starting"
        var drawnLines = 0
    }

    private let output: Output
    private let interactive: Bool
    private let state = Mutex(State())
    private let narrator = RunNarrator()
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
        state.withLock { state in
            switch event {
            case .phase(let phase): state.phase = phase
            case .sample(let sample):
                var probe = state.probes[sample.probe] ?? ProbeState()
                probe.samples += 1
                if !sample.outcome.isOK { probe.failures += 1 }
                probe.lastReason = sample.reason
                state.probes[sample.probe] = probe
            case .window(let window):
                if window.error != nil || window.revertedAt != nil {
                    state.active.removeValue(forKey: window.index)
                } else if window.injectedAt != nil {
                    state.active[window.index] = window
                }
            case .steadyState, .aborting: break
            }
        }
        for line in narrator.narrate(event) { self.line(line) }
    }

    private func line(_ line: RunEventLine) {
        var fields: [String: JSONValue] = [:]
        if let value = line.phase { fields["phase"] = .string(value) }
        if let value = line.held { fields["held"] = .bool(value) }
        if let value = line.fault { fields["fault"] = .integer(Int64(value)) }
        if let value = line.kind { fields["kind"] = .string(value) }
        if let value = line.container { fields["container"] = .string(value) }
        if let value = line.atMS { fields["at_ms"] = .number(value) }
        if let value = line.outcome { fields["outcome"] = .string(value) }
        if let value = line.error { fields["error"] = .string(value) }
        if let value = line.probe { fields["probe"] = .string(value) }
        if let value = line.reason { fields[line.event == "steady" || line.event == "unsteady" ? "detail" : "reason"] = .string(value) }
        self.line(line.event, line.text, fields, at: line.at)
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
                let mark = narrator.isOK(name) == false ? "✗" : "✓"
                lines.append(String(format: "   %@ %@  error rate %.1f%% (%d/%d)  %@", mark, name, rate, probe.failures, probe.samples, String(probe.lastReason.prefix(60))))
            }
            return lines
        }
        clearBlock()
        FileHandle.standardOutput.write(Data((block.map { $0.replacingControlCharacters() }.joined(separator: "\n") + "\n").utf8))
        state.withLock { $0.drawnLines = block.count }
    }
}
