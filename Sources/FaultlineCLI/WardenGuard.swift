import Daemon
import FaultlineSupport
import Foundation

/// What a foreground `run` or `inject` does so that nothing stays broken if it dies: beats its
/// heartbeat in the state directory and makes sure a warden watches it (`WardenLauncher`). The
/// warden is launched on a thread of its own, so the spawn overlaps the engine handshake and the
/// target lookup; `launched()` waits for it, and is awaited before any fault is injected. `stop()`
/// on a normal end removes the heartbeat; the warden then exits by itself once nothing is open.
final class WardenGuard: Sendable {
    private let heartbeat: Heartbeat
    private let beating: Task<Void, Never>
    private let launching: Task<Void, Never>

    /// `linger`: how long a warden started here stays once nothing is left (see `WardenLauncher`).
    init(options: GlobalOptions, linger: Duration = .zero) {
        heartbeat = Heartbeat(directory: DaemonPaths(stateDirectory: options.resolvedStateDirectory).heartbeats)
        // The state directory is made (0700) or checked as the ledger would, before the heartbeat
        // creates anything in it. A refused one gets nothing: the ledger's own check, right after,
        // stops the command with the reason.
        guard (try? TrustedDirectory.prepare(options.resolvedStateDirectory, purpose: "state directory")) != nil else {
            beating = Task {}
            launching = Task {}
            return
        }
        heartbeat.beat()
        let heartbeat = heartbeat
        beating = Task {
            try? await Task.sleep(for: Heartbeat.interval)  // it just beat
            try? await heartbeat.run()
        }
        launching = Task { _ = await BlockingIO.run { WardenLauncher.start(options: options, linger: linger) } }
    }

    /// Returns once the warden process has been started (or its start has failed, which was reported).
    func launched() async { await launching.value }

    func stop() {
        beating.cancel()
        heartbeat.remove()
    }
}
