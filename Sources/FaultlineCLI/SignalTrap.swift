import ArgumentParser
import Dispatch
import FaultlineSupport
import Foundation
import Synchronization

/// Turns SIGINT and SIGTERM into an orderly stop: the first one cancels whatever is waiting
/// (a fault window), so the caller reverts and exits. Installed before anything is injected.
final class SignalTrap: Sendable {
    private struct State {
        var received: Int32?
        var onSignal: [@Sendable () -> Void] = []
    }

    private let state = Mutex(State())
    // Dispatch sources are not Sendable; they are created once and only kept alive here.
    nonisolated(unsafe) private var sources: [any DispatchSourceSignal] = []

    init(signals: [Int32] = [SIGINT, SIGTERM]) {
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.deliver(number) }
            source.resume()
            sources.append(source)
        }
    }

    /// Calls `handler` on the first signal (at once if one already arrived).
    func onSignal(_ handler: @escaping @Sendable () -> Void) {
        let already = state.withLock { state -> Bool in
            if state.received != nil { return true }
            state.onSignal.append(handler)
            return false
        }
        if already { handler() }
    }

    /// The first signal received, if any.
    var received: Int32? { state.withLock { $0.received } }

    /// Sleeps for `duration`, returning early with the signal if one arrives (or had arrived).
    func sleep(for duration: Duration) async -> Int32? {
        if let already = received { return already }
        let window = Task { try await Task.sleep(for: duration) }
        onSignal { window.cancel() }
        _ = await window.result
        return received
    }

    private func deliver(_ number: Int32) {
        let handlers = state.withLock { state -> [@Sendable () -> Void] in
            if state.received == nil { state.received = number }
            defer { state.onSignal = [] }
            return state.onSignal
        }
        handlers.forEach { $0() }
    }

    /// The documented exit code after an interruption: 130 for SIGINT, 143 for SIGTERM.
    static func exitCode(for number: Int32) -> ExitCode {
        ExitCode(number == SIGINT ? FaultlineExitCode.interrupted.rawValue : FaultlineExitCode.terminated.rawValue)
    }

    static func name(_ number: Int32) -> String {
        switch number {
        case SIGINT: return "SIGINT"
        case SIGTERM: return "SIGTERM"
        default: return "signal \(number)"
        }
    }
}
