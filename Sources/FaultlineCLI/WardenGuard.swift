import Daemon
import Foundation

/// What a foreground `run` does so that nothing stays broken if it dies: beats its heartbeat in
/// the state directory and makes sure a warden watches it (`WardenLauncher`). `stop()` on a normal
/// end removes the heartbeat; the warden then exits by itself once nothing is open.
final class WardenGuard: Sendable {
    private let heartbeat: Heartbeat
    private let beating: Task<Void, Never>

    init(options: GlobalOptions) {
        heartbeat = Heartbeat(directory: DaemonPaths(stateDirectory: options.resolvedStateDirectory).heartbeats)
        heartbeat.beat()
        let heartbeat = heartbeat
        beating = Task { try? await heartbeat.run() }
        WardenLauncher.start(options: options)
    }

    func stop() {
        beating.cancel()
        heartbeat.remove()
    }
}
