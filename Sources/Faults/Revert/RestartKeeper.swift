import DockerEngine
import FaultlineSupport
import Foundation
import Logging
import Synchronization

/// Keeps a network fault in place for its whole window: when the container restarts inside the
/// window (its namespace, and the fault's rules and qdiscs with it, are made anew), the keeper
/// applies the same owned rules to the new namespace. The revert stops the keeper first, so the
/// two never race, and then removes the rules from whichever namespace the container has.
public final class RestartKeeper: Sendable {
    /// One re-apply, as the run's window records it.
    public struct Reapply: Sendable, Equatable, Codable {
        public let at: Date
        /// Empty when the rules are back; otherwise why not.
        public let error: String?
    }

    private let task: Mutex<Task<Void, Never>?> = Mutex(nil)
    private let done = Mutex<[Reapply]>([])

    /// What was re-applied so far.
    public var reapplies: [Reapply] { done.withLock { $0 } }

    init() {}

    /// Watches `step`'s container from `since` on; `report` hears each re-apply.
    static func start(_ step: NetworkRulesStep, since: Date, watcher: any ContainerStartWatching, environment: FaultEnvironment,
                      report: @escaping @Sendable (Reapply) -> Void) -> RestartKeeper {
        let keeper = RestartKeeper()
        let watch = Task {
            var applied = step.startedAt
            do {
                for try await _ in try watcher.starts(of: step.containerID, since: since) {
                    guard !Task.isCancelled else { break }
                    let state: ContainerState
                    do { state = try await environment.containers.inspectContainer(step.containerID).state } catch { continue }
                    // A start event can be older than the inject (the window began right after a start).
                    guard state.running, state.pid > 0, state.startedAt != applied else { continue }
                    var reapply = Reapply(at: Date(), error: nil)
                    do {
                        try await step.inject(pid: state.pid, in: environment)
                        applied = state.startedAt
                        environment.logger.info("container restarted inside the window; network fault applied again",
                                                metadata: [LogKey.container: "\(step.containerID.prefix(12))"])
                    } catch {
                        reapply = Reapply(at: reapply.at, error: "\(error)")
                        environment.logger.warning("could not apply the network fault again after a restart",
                                                   metadata: [LogKey.container: "\(step.containerID.prefix(12))", LogKey.error: "\(error)"])
                    }
                    keeper.done.withLock { $0.append(reapply) }
                    report(reapply)
                }
            } catch {
                if !Task.isCancelled {
                    environment.logger.warning("lost the engine's events; a restart inside the window would drop the fault",
                                               metadata: [LogKey.error: "\(error)"])
                }
            }
        }
        keeper.task.withLock { $0 = watch }
        return keeper
    }

    /// Stops watching and waits until no re-apply is in progress.
    func stop() async {
        guard let watch = task.withLock({ current -> Task<Void, Never>? in defer { current = nil }; return current }) else { return }
        watch.cancel()
        await watch.value
    }
}
