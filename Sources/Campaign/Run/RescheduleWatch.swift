import DockerEngine
import FaultlineSupport
import Foundation

/// Watches a Swarm manager for the task that replaces one a fault ended: finds the old task by
/// its container, then polls the service's tasks until another task of the same slot (or, for a
/// global service, of the same node) runs. Bounded by `limit`; cancellation ends it early.
struct RescheduleWatch: Sendable {
    let manager: any SwarmManaging
    var interval: Duration = .milliseconds(200)
    var limit: Duration = .seconds(60)

    /// Nil when the container is no Swarm task (or the engine no manager).
    func watch(containerID: String, since start: ContinuousClock.Instant) async -> Reschedule? {
        guard let tasks = try? await manager.swarmTasks(service: nil),
              let old = tasks.first(where: { $0.containerID == containerID }) else { return nil }
        let serviceName = (try? await manager.swarmServices())?.first { $0.id == old.serviceID }?.name ?? old.serviceID
        var reschedule = Reschedule(service: serviceName, slot: old.slot, oldTask: old.id)
        let clock = ContinuousClock()
        while clock.now - start < limit && !Task.isCancelled {
            if let tasks = try? await manager.swarmTasks(service: old.serviceID),
               let replacement = tasks.first(where: { Self.replaces($0, old) && $0.state == "running" }) {
                reschedule.seenAfter = clock.now - start
                reschedule.newTask = replacement.id
                let ended = tasks.first { $0.id == old.id }
                if let ended, ended.hasEnded, let from = ended.stateSince.flatMap(Timestamp.parse),
                   let to = replacement.stateSince.flatMap(Timestamp.parse), to >= from {
                    reschedule.swarmAfter = .milliseconds(Int64((to.timeIntervalSince(from) * 1000).rounded()))
                }
                if let nodeID = replacement.nodeID {
                    reschedule.node = (try? await manager.swarmNodes())?.first { $0.id == nodeID }?.name ?? nodeID
                }
                return reschedule
            }
            try? await Task.sleep(for: interval)
        }
        reschedule.waited = clock.now - start
        return reschedule
    }

    /// Whether `task` takes `old`'s place: same service, another task, the same slot (a
    /// replicated service) or the same node (a global one).
    static func replaces(_ task: SwarmTask, _ old: SwarmTask) -> Bool {
        guard task.id != old.id, task.serviceID == old.serviceID else { return false }
        if let slot = old.slot { return task.slot == slot }
        return task.nodeID == old.nodeID
    }
}
